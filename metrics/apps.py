from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Business data and KPIs"

    def ready(self) -> None:
        import metrics.cohorts.receivers  # noqa: F401  (its @receiver functions connect on import)
        import metrics.goals.receivers  # noqa: F401  (its @receiver functions connect on import)
        import metrics.imports.receivers  # noqa: F401  (its @receiver functions connect on import)
        import metrics.kpis.receivers  # noqa: F401  (its @receiver functions connect on import)
