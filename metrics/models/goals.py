"""SMART goals (goals.md): a KPI, a target and a deadline, with the evaluation of each
month kept as history and every status change recorded. A goal's statuses and
achievability are declared once, in metrics.goals.evaluation."""

from django.conf import settings
from django.db import models

from metrics.goals.evaluation import Achievability, Status

VALUE = {"max_digits": 38, "decimal_places": 10}


class Goal(models.Model):
    title = models.CharField(max_length=200)
    kpi = models.CharField(max_length=100)
    target_value = models.DecimalField(**VALUE)
    baseline_value = models.DecimalField(**VALUE)
    start_date = models.DateField()
    deadline = models.DateField()
    why = models.TextField(blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    achievability = models.CharField(max_length=12, choices=Achievability.choices(),
                                     default=Achievability.UNKNOWN.value)
    # The latest evaluation's status, kept on the row so lists filter without a join.
    status = models.CharField(max_length=10, choices=Status.choices(), blank=True, default="")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["kpi"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title


class GoalEvaluation(models.Model):
    """The goal as evaluated for one month (its chart's history)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="evaluations")
    period = models.DateField()
    current_value = models.DecimalField(**VALUE, null=True, blank=True)
    time_elapsed_pct = models.FloatField()
    progress_pct = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices())
    forecast_value = models.FloatField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["goal", "period"]
        constraints = [models.UniqueConstraint(fields=["goal", "period"], name="goal_evaluation_unique_period")]


class GoalStatusChange(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Status.choices(), blank=True, default="")
    to_status = models.CharField(max_length=10, choices=Status.choices())
    period = models.DateField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
