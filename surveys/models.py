"""NPS and CSAT surveys sent by KPI Hub, in the tenant's schema.

A ``Survey`` is what the tenant asks and of whom; each person asked is a
``SurveyRecipient`` with an unguessable token and a delivery status; their answer is
one ``SurveyResponse`` (replaced, not added to, when they change it); ``Suppression``
is the tenant's list of addresses that asked never to be mailed again.
See ../shared/spec/surveys.md and docs/surveys.md.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5)}


def new_token() -> str:
    """192 random bits, URL-safe (the spec asks for at least 128)."""
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    class Type(models.TextChoices):
        NPS = "nps", "NPS (0-10)"
        CSAT = "csat", "CSAT (1-5)"

    class Language(models.TextChoices):
        EN = "en", "English"
        PT = "pt", "Português"
        RO = "ro", "Română"

    class Audience(models.TextChoices):
        ALL = "all", "All customers with an e-mail"
        FILTER = "filter", "Customers matching a filter"
        LIST = "list", "A list of customer ids"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        # Never stored: reported once closes_at has passed (see ``current_status``).
        CLOSED = "closed", "Closed"

    type = models.CharField(max_length=4, choices=Type.choices)
    name = models.CharField(max_length=200)
    question = models.CharField(max_length=500, blank=True, default="")
    follow_up = models.CharField(max_length=500, blank=True, default="")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    audience = models.CharField(max_length=6, choices=Audience.choices, default=Audience.ALL)
    # {"segment": [...], "channel": [...], "country": [...], "active": true|false}
    audience_filter = models.JSONField(default=dict, blank=True)
    audience_customer_ids = models.JSONField(default=list, blank=True)
    throttle_days = models.PositiveIntegerField(default=90)
    send_at = models.DateTimeField(null=True, blank=True)
    reminder_days = models.PositiveIntegerField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    anonymous = models.BooleanField(default=False)

    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    # Where the links in the e-mails point (the host the survey was created on).
    base_url = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the audience has been turned into recipients (so a retried send never
    # re-selects it) and when the invitations and the reminder went out.
    recipients_selected_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_started_at = models.DateTimeField(null=True, blank=True)
    send_job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def score_range(self) -> tuple[int, int]:
        return SCORE_RANGES[self.type]

    @property
    def is_closed(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()

    @property
    def current_status(self) -> str:
        """The stored status, or ``closed`` once answers are no longer taken."""
        return self.Status.CLOSED if self.is_closed else self.status

    @property
    def is_going_out(self) -> bool:
        """Being sent, or due and about to be (beat starts it within a minute): the
        survey page follows its figures live meanwhile."""
        due = self.status == self.Status.SCHEDULED and self.send_at is not None and self.send_at <= timezone.now()
        return (self.status == self.Status.SENDING or due) and not self.is_closed

    @property
    def can_be_sent(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED) and not self.is_closed


class SurveyRecipient(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by a sending run; the message may or may not have left (see services).
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="recipients")
    customer_id = models.CharField(max_length=100, blank=True, default="")
    name = models.CharField(max_length=255, blank=True, default="")
    # Lower-cased, so throttling and suppression compare like with like.
    email = models.EmailField(max_length=254)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=300, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The one reminder: "" (none), then queued/sending/sent/failed/skipped.
    reminder_status = models.CharField(max_length=7, blank=True, default="")
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "email"], name="survey_recipient_once_per_address"),
        ]
        indexes = [
            models.Index(fields=["survey", "status"]),
            models.Index(fields=["email", "sent_at"]),
            models.Index(fields=["sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class SurveyResponse(models.Model):
    """One per recipient; a later answer replaces the earlier one until closing.
    ``responded_at`` is when the score was last given or changed: the month the
    answer counts in. A comment-only answer has no score and counts in no score."""

    recipient = models.OneToOneField(SurveyRecipient, on_delete=models.CASCADE,
                                     related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    responded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-responded_at", "-id"]
        indexes = [models.Index(fields=["survey", "score"]), models.Index(fields=["responded_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=10),
                                   name="survey_response_score_at_most_10"),
        ]

    def __str__(self) -> str:
        return f"{self.score} on {self.survey_id}"


class Suppression(models.Model):
    """An address of this tenant's that is never sent anything again."""

    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=40, default="unsubscribed")
    survey = models.ForeignKey(Survey, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email
