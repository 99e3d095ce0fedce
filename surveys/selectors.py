"""Reads: a survey's figures and its answers with filters (what the KPI engine reads
is in kpi_sources.py).

Anonymous surveys: nothing here returns customer fields (or filters on them) for an
anonymous survey's answers, so no page, API response or export can show them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from metrics.models import Customer
from surveys import audience, scoring
from surveys.audience import FILTER_FIELDS
from surveys.delivery import letter_for
from surveys.models import Survey, SurveyRecipient, SurveyResponse

Status = SurveyRecipient.Status


@dataclass
class SurveyStats:
    waiting: int = 0   # queued, not yet picked up by a sending run
    sending: int = 0   # claimed by a run: leaving now
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    responded: int = 0
    distribution: dict[int, int] = field(default_factory=dict)
    summary: scoring.ScoreSummary | None = None

    @property
    def total(self) -> int:
        """Everyone the send turned the audience into (a skipped address counts)."""
        return self.waiting + self.sending + self.sent + self.skipped + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def queued(self) -> int:
        """Not sent yet (waiting or leaving now): the API's ``queued``."""
        return self.waiting + self.sending

    @property
    def response_rate(self) -> float | None:
        """Answers per invitation sent, in percent; None before anything was sent."""
        return self.responded / self.sent * 100 if self.sent else None

    @property
    def score(self) -> float | None:
        return self.summary.value if self.summary else None

    @property
    def score_margin(self) -> float | None:
        return self.summary.margin if self.summary else None


def survey_stats(survey: Survey) -> SurveyStats:
    by_status = dict(survey.recipients.values_list("status").annotate(n=Count("id")))
    counts = dict(survey.responses.filter(score__isnull=False)
                  .values_list("score").annotate(n=Count("id")))
    low, high = survey.score_range
    return SurveyStats(
        waiting=by_status.get(Status.QUEUED, 0),
        sending=by_status.get(Status.SENDING, 0),
        sent=by_status.get(Status.SENT, 0),
        skipped=by_status.get(Status.SKIPPED, 0),
        failed=by_status.get(Status.FAILED, 0),
        responded=survey.responses.count(),
        distribution={score: counts.get(score, 0) for score in range(low, high + 1)},
        summary=scoring.summarise(survey.type, counts),
    )


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float
    group: str | None


def distribution_bars(survey: Survey, stats: SurveyStats) -> tuple[list[Bar], list[Bar]]:
    """The chart's rows: one per score, and one per group (detractors/passives/
    promoters or unsatisfied/neutral/satisfied), each with its share of answers."""
    total = sum(stats.distribution.values())

    def share(n: int) -> float:
        return round(n / total * 100, 1) if total else 0.0

    scores = [Bar(str(score), n, share(n), scoring.score_group(survey.type, score))
              for score, n in stats.distribution.items()]
    groups = []
    for group in scoring.GROUPS[survey.type]:
        n = sum(stats.distribution.get(s, 0) for s in scoring.GROUP_SCORES[group])
        groups.append(Bar(group, n, share(n), group))
    return scores, groups


def outcome_reasons(survey: Survey) -> list[tuple[str, str, int]]:
    """(status, reason, how many) for the skipped and failed recipients."""
    rows = (survey.recipients.filter(status__in=[Status.SKIPPED, Status.FAILED])
            .values_list("status", "reason").annotate(n=Count("id")).order_by("-n"))
    return list(rows)


def surveys_with_counts() -> QuerySet[Survey]:
    return Survey.objects.annotate(
        sent_count=Count("recipients", filter=Q(recipients__status=Status.SENT), distinct=True),
        responded_count=Count("responses", distinct=True),
    )


# --- Answers -----------------------------------------------------------------------

def _customer_field(name: str) -> Subquery:
    return Subquery(Customer.objects.filter(customer_id=OuterRef("recipient__customer_id"))
                    .values(name)[:1])


def responses(survey: Survey, *, group: str = "", query: str = "",
              customer_filter: dict[str, str] | None = None) -> QuerySet[SurveyResponse]:
    """The survey's answers, newest first. For a named survey each carries the
    customer's id, name, e-mail, segment, channel and country (``customer_*``)."""
    answers = survey.responses.all()
    if group in scoring.GROUP_SCORES and group in scoring.GROUPS[survey.type]:
        answers = answers.filter(score__in=list(scoring.GROUP_SCORES[group]))
    elif group == "no_score":
        answers = answers.filter(score__isnull=True)
    if survey.anonymous:
        if query:
            answers = answers.filter(comment__icontains=query)
        return answers.only("id", "survey_id", "score", "comment", "responded_at", "updated_at")
    answers = answers.annotate(
        customer_id=F("recipient__customer_id"),
        customer_name=Coalesce(_customer_field("name"), "recipient__name"),
        customer_email=Coalesce(_customer_field("email"), "recipient__email"),
        **{f"customer_{name}": _customer_field(name) for name in FILTER_FIELDS},
    )
    for name, value in (customer_filter or {}).items():
        if name in FILTER_FIELDS and value:
            answers = answers.filter(**{f"customer_{name}": value})
    if query:
        answers = answers.filter(Q(comment__icontains=query) | Q(customer_name__icontains=query)
                                 | Q(customer_email__icontains=query)
                                 | Q(customer_id__icontains=query))
    return answers


def response_filter_choices(survey: Survey) -> dict[str, list[str]]:
    """Customer field values among this survey's recipients (none when anonymous)."""
    if survey.anonymous:
        return {}
    ids = survey.recipients.values("customer_id")
    return {name: list(Customer.objects.filter(customer_id__in=ids).exclude(**{name: ""})
                       .order_by(name).values_list(name, flat=True).distinct()[:200])
            for name in FILTER_FIELDS}



# --- The e-mail before it is sent -------------------------------------------------

# Not a token the answer pages can know: a click in the preview finds nothing.
PREVIEW_TOKEN = "preview"
SAMPLE = audience.Candidate(customer_id="", name="Alex Example", email="alex@example.com", left_out=None)


@dataclass(frozen=True)
class EmailPreview:
    sample: audience.Candidate
    sample_is_real: bool  # a customer from the audience, or a made-up one (nobody to send to yet)
    from_email: str
    reply_to: str
    subject: str
    text: str
    html: str


def email_preview(survey: Survey) -> EmailPreview:
    """The invitation exactly as the sending builds it (surveys.delivery.letter_for),
    addressed to the first customer the audience would reach, with a dead link token."""
    first = audience.first_recipient(audience.AudienceSpec.of(survey), survey_id=survey.pk)
    sample = first or SAMPLE
    letter = letter_for(survey)
    message = letter.message_for(SurveyRecipient(survey=survey, customer_id=sample.customer_id,
                                                 name=sample.name, email=sample.email,
                                                 token=PREVIEW_TOKEN))
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    return EmailPreview(sample=sample, sample_is_real=first is not None, from_email=message.from_email,
                        reply_to=message.extra_headers.get("Reply-To", ""), subject=message.subject,
                        text=message.body, html=html)
