"""Who a survey goes to: the customers its audience selects, and which of them are
left out (unsubscribed, or surveyed too recently). The create form's live count and
the sending both read these, so what the count promises is what the send does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from metrics.models import Customer, Subscription
from surveys.models import Survey, SurveyRecipient, Suppression

FILTER_FIELDS = ("segment", "channel", "country")
UNSUBSCRIBED = "unsubscribed"
THROTTLED = "throttled"


@dataclass(frozen=True)
class AudienceSpec:
    """The audience part of a survey, whether saved or still being typed in a form."""

    audience: str = Survey.Audience.ALL
    audience_filter: dict | None = None
    audience_customer_ids: list[str] | None = None
    throttle_days: int = 90

    @classmethod
    def of(cls, survey: Survey) -> "AudienceSpec":
        return cls(survey.audience, survey.audience_filter, survey.audience_customer_ids,
                   survey.throttle_days)


@dataclass(frozen=True)
class AudienceCount:
    recipients: int
    throttled: int
    unsubscribed: int

    @property
    def total(self) -> int:
        return self.recipients + self.throttled + self.unsubscribed


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    name: str
    email: str
    left_out: str | None  # UNSUBSCRIBED, THROTTLED or None


def active_today() -> Q:
    """Has MRR now: a subscription running today (end_date is the first day off)."""
    today = timezone.localdate()
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gt=today))


def selected_customers(spec: AudienceSpec) -> QuerySet[Customer]:
    """Customers with an e-mail address that the audience selects."""
    customers = Customer.objects.exclude(email="")
    if spec.audience == Survey.Audience.FILTER:
        rules = spec.audience_filter or {}
        for field in FILTER_FIELDS:
            if rules.get(field):
                customers = customers.filter(**{f"{field}__in": rules[field]})
        if rules.get("active") is not None:
            has_mrr = Exists(Subscription.objects.filter(active_today(), customer=OuterRef("customer_id")))
            customers = customers.filter(has_mrr if rules["active"] else ~has_mrr)
    elif spec.audience == Survey.Audience.LIST:
        customers = customers.filter(customer_id__in=spec.audience_customer_ids or [])
    return customers


@dataclass(frozen=True)
class Unmatched:
    """Ids of a list audience that reach nobody, in the order given: told back to
    whoever typed them (create form, survey page, API) instead of dropped silently."""

    unknown: list[str]        # no customer has this id
    without_email: list[str]  # the customer has no e-mail address

    @property
    def ids(self) -> list[str]:
        return self.unknown + self.without_email

    def __bool__(self) -> bool:
        return bool(self.unknown or self.without_email)


def unmatched(spec: AudienceSpec) -> Unmatched:
    """The list's ids that match no customer with an e-mail (empty for other audiences)."""
    return unmatched_of([spec])[0]


def unmatched_of(specs: list[AudienceSpec]) -> list[Unmatched]:
    """``unmatched`` for each spec, with one query for them all (a page of surveys)."""
    listed = [_listed_ids(spec) for spec in specs]
    wanted = {customer_id for ids in listed for customer_id in ids}
    emails = dict(Customer.objects.filter(customer_id__in=wanted).values_list("customer_id", "email")) if wanted else {}
    return [Unmatched(unknown=[i for i in ids if i not in emails],
                      without_email=[i for i in ids if i in emails and not emails[i]]) for ids in listed]


def _listed_ids(spec: AudienceSpec) -> list[str]:
    if spec.audience != Survey.Audience.LIST or not spec.audience_customer_ids:
        return []
    return list(dict.fromkeys(i.strip() for i in spec.audience_customer_ids if isinstance(i, str) and i.strip()))


def _annotated(spec: AudienceSpec, exclude_survey_id: int | None) -> QuerySet:
    cutoff = timezone.now() - timedelta(days=spec.throttle_days)
    recent = SurveyRecipient.objects.filter(
        email=OuterRef("address"), status=SurveyRecipient.Status.SENT, sent_at__gte=cutoff)
    if exclude_survey_id is not None:
        recent = recent.exclude(survey_id=exclude_survey_id)
    return (selected_customers(spec)
            .annotate(address=Lower("email"))
            .annotate(unsubscribed=Exists(Suppression.objects.filter(email=OuterRef("address"))),
                      throttled=Exists(recent) if spec.throttle_days else Value(False)))


def candidates(spec: AudienceSpec, *, survey_id: int | None = None) -> list[Candidate]:
    """One candidate per address (the first customer by id when two share one)."""
    seen: set[str] = set()
    result = []
    rows = _annotated(spec, survey_id).order_by("customer_id").values_list(
        "customer_id", "name", "address", "unsubscribed", "throttled")
    for customer_id, name, address, unsubscribed, throttled in rows.iterator(chunk_size=2000):
        if address in seen:
            continue
        seen.add(address)
        left_out = UNSUBSCRIBED if unsubscribed else THROTTLED if throttled else None
        result.append(Candidate(customer_id, name, address, left_out))
    return result


def first_recipient(spec: AudienceSpec, *, survey_id: int | None = None) -> Candidate | None:
    """The first customer (by id) the send would reach: the e-mail preview's sample."""
    row = (_annotated(spec, survey_id).filter(unsubscribed=False, throttled=False)
           .order_by("customer_id").values_list("customer_id", "name", "address").first())
    return Candidate(*row, left_out=None) if row else None


def count(spec: AudienceSpec, *, survey_id: int | None = None) -> AudienceCount:
    """The live count: one SQL query, by distinct address."""
    totals = _annotated(spec, survey_id).aggregate(
        n_everyone=Count("address", distinct=True),
        n_unsubscribed=Count("address", distinct=True, filter=Q(unsubscribed=True)),
        n_throttled=Count("address", distinct=True, filter=Q(unsubscribed=False, throttled=True)),
    )
    recipients = totals["n_everyone"] - totals["n_unsubscribed"] - totals["n_throttled"]
    return AudienceCount(recipients, totals["n_throttled"], totals["n_unsubscribed"])


def filter_choices() -> dict[str, list[str]]:
    """The values customers actually have, for the form's filter pickers."""
    return {
        field: list(Customer.objects.exclude(**{field: ""}).order_by(field)
                    .values_list(field, flat=True).distinct()[:500])
        for field in FILTER_FIELDS
    }
