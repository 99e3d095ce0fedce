from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Business data and KPIs"

    def ready(self) -> None:
        import metrics.goals.receivers  # noqa: F401  (its @receiver functions connect on import)
        from metrics.kpis.receivers import recompute_after_survey_answer
        from surveys.services import survey_responses_changed

        survey_responses_changed.connect(recompute_after_survey_answer,
                                         dispatch_uid="kpis-recompute-after-survey-answer")
