"""Any KPI the tenant measures elsewhere: dated values of a named metric."""

from django.db import models


class CustomMetric(models.Model):
    """Created by the first import of a new slug; the tenant sets how a month is
    summarised (``last`` value, ``sum`` or ``avg`` of the month's values)."""

    class Aggregation(models.TextChoices):
        LAST = "last", "Last value in the month"
        SUM = "sum", "Sum of the month"
        AVG = "avg", "Average of the month"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")
    unit = models.CharField(max_length=20, default="count")
    aggregation = models.CharField(max_length=4, choices=Aggregation.choices, default=Aggregation.LAST)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name or self.slug


class MetricValue(models.Model):
    metric = models.CharField(max_length=100)
    date = models.DateField()
    value = models.DecimalField(max_digits=24, decimal_places=6)

    class Meta:
        ordering = ["metric", "date"]
        constraints = [models.UniqueConstraint(fields=["metric", "date"], name="metric_value_unique_day")]
