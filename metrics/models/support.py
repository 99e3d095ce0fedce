"""Customer care: support tickets and survey answers imported from other tools."""

from django.db import models
from django.db.models import F, Q


class Ticket(models.Model):
    ticket_id = models.CharField(max_length=100)
    customer_id = models.CharField(max_length=100, blank=True, default="")
    opened_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=100, blank=True, default="")
    priority = models.CharField(max_length=50, blank=True, default="")

    class Meta:
        ordering = ["opened_at"]
        indexes = [models.Index(fields=["opened_at"]), models.Index(fields=["resolved_at"]),
                   models.Index(fields=["first_response_at"])]
        constraints = [
            models.UniqueConstraint(fields=["ticket_id"], name="ticket_unique_id"),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("opened_at")),
                name="ticket_first_response_after_opening"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")),
                name="ticket_resolved_after_opening"),
        ]


class ImportedSurveyResponse(models.Model):
    """A row of kind ``survey_responses``: history brought from another survey tool.
    Answers to KPI Hub's own surveys live in the surveys app."""

    class SurveyType(models.TextChoices):
        NPS = "nps", "NPS"
        CSAT = "csat", "CSAT"

    response_id = models.CharField(max_length=100, null=True, blank=True)
    survey_type = models.CharField(max_length=4, choices=SurveyType.choices)
    score = models.PositiveSmallIntegerField()
    responded_at = models.DateTimeField()
    email = models.EmailField(blank=True, default="")
    customer_id = models.CharField(max_length=100, blank=True, default="")
    comment = models.TextField(blank=True, default="")

    class Meta:
        db_table = "metrics_survey_response"
        ordering = ["responded_at"]
        indexes = [models.Index(fields=["survey_type", "responded_at"])]
        constraints = [
            models.UniqueConstraint(fields=["response_id"], condition=Q(response_id__isnull=False),
                                    name="survey_response_unique_id"),
            # Without an id: one answer per type, person (e-mail or customer) and moment.
            models.UniqueConstraint(fields=["survey_type", "email", "customer_id", "responded_at"],
                                    condition=Q(response_id__isnull=True),
                                    name="survey_response_unique_natural_key"),
            models.CheckConstraint(
                condition=(Q(survey_type="nps", score__lte=10)
                           | Q(survey_type="csat", score__gte=1, score__lte=5)),
                name="survey_response_score_in_range"),
        ]
