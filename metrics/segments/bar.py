"""The filter bar every page with figures shows (dashboard, KPI page, Cohorts): the
request's ``filter=`` read once, the company's saved segments and its customers' actual
``attribute:value`` pairs to pick from (a <datalist>), and the attributes it may name.
Pages render it with ``templates/includes/filter_bar.html``."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from rest_framework.exceptions import ValidationError

from metrics.models import SavedSegment
from metrics.segments import selectors
from metrics.segments.filters import ATTRIBUTES, EVERYONE, CustomerFilter


def message(error: ValidationError) -> str:
    """A ValidationError's messages as one sentence for a page."""
    detail = error.detail
    if isinstance(detail, dict):
        return " ".join(str(m) for messages in detail.values() for m in messages)
    return " ".join(str(m) for m in detail)


@dataclass
class FilterBar:
    text: str  # as typed
    filter: CustomerFilter  # EVERYONE when empty or wrong
    error: str  # why the typed filter was refused ("" when it was not)
    saved: list[SavedSegment] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    # (attribute, value) present in the company's customers and subscriptions.
    suggestions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.filter)


def filter_query(customer_filter: CustomerFilter) -> str:
    """``&filter=...`` (the canonical spelling) for a page's links when a filter applies,
    else nothing."""
    return "&" + urlencode({"filter": customer_filter.text}) if customer_filter else ""


def kept_params(request, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """The page's own parameters (``names``) the filter bar carries when a filter is
    applied or cleared (the include's ``keep``)."""
    return [(name, request.GET[name]) for name in names if request.GET.get(name)]


def requested_filter(request) -> tuple[CustomerFilter, str]:
    """A request's ``filter=``, and why it is wrong ("" when it is not; the filter is
    then EVERYONE): for the bar, and for fragments, charts and CSVs, which answer a
    wrong one with a 400 saying why."""
    try:
        return selectors.customer_filter(request.GET.get("filter")), ""
    except ValidationError as exc:
        return EVERYONE, message(exc)


def filter_bar(request) -> FilterBar:
    """The bar of a page: a wrong filter is not applied (the page shows the whole
    company) and says why; the view answers 400 when ``error`` is set."""
    text = request.GET.get("filter", "")
    suggestions = selectors.filter_suggestions()
    parsed, error = requested_filter(request)
    return FilterBar(text=text, filter=parsed, error=error, saved=selectors.saved_segments(),
                     attributes=[*ATTRIBUTES, *suggestions.extra_attributes], suggestions=suggestions.values)
