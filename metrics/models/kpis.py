"""KPI values computed by the KPI engine (metrics/kpis/), stored per tenant schema so
pages, the API and goals read precomputed numbers instead of aggregating on request."""

from django.db import models


class KpiValue(models.Model):
    """One KPI for one month: a value, the figures it came from (``inputs``), or no
    value and the reason why (a division by zero is never shown as 0)."""

    kpi = models.CharField(max_length=100)
    month = models.DateField(help_text="First day of the month, in the tenant's timezone")
    value = models.DecimalField(max_digits=38, decimal_places=10, null=True, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True, default="")
    computed_at = models.DateTimeField()  # when last written: a recompute leaves unchanged values be

    class Meta:
        ordering = ["kpi", "month"]
        constraints = [models.UniqueConstraint(fields=["kpi", "month"], name="kpi_value_unique_month")]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.kpi} {self.month:%Y-%m} = {self.value}"


class KpiCoverage(models.Model):
    """Which months the last recompute covered (one row per tenant schema). The API's
    default period and the "outside the months with data" answers come from here."""

    first_month = models.DateField(null=True, blank=True)
    last_month = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"KPIs {self.first_month} .. {self.last_month}"
