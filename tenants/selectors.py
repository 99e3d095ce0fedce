"""Reads about the company's settings: what its reporting currency needs before every
amount can be converted into it. Runs in the tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from metrics.models import FxRate
from tenants.company import MONEY_MODELS


@dataclass(frozen=True)
class CurrencyNeeds:
    """``missing``: (currency, stored amounts in it) for each currency in the data with no
    exchange rate at all, whose amounts the KPIs leave out (metrics/kpis/compute.py warns
    of them after each recompute). ``stated_in``: after a change from ``previous``, the
    currencies whose imported rates were written as units of the previous currency and
    are now read as units of the new one."""

    currency: str
    missing: list[tuple[str, int]] = field(default_factory=list)
    previous: str = ""
    stated_in: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """The same needs in words, for the page and the API's answer."""
        said = [f"{count} stored amount{'s' if count != 1 else ''} in {code} "
                f"{'have' if count != 1 else 'has'} no exchange rate and {'are' if count != 1 else 'is'} "
                f"left out of the KPIs: import exchange rates (kind fx_rates) giving {self.currency} "
                f"per 1 {code}, month by month."
                for code, count in self.missing]
        if self.stated_in:
            said.append(f"The exchange rates imported for {', '.join(self.stated_in)} give {self.previous} "
                        f"per unit and are now read as {self.currency} per unit: import them again "
                        f"in {self.currency}.")
        return said


def currency_needs(*, currency: str, previous: str = "") -> CurrencyNeeds:
    rated = set(FxRate.objects.values_list("currency", flat=True).distinct())
    missing: dict[str, int] = {}
    for model in MONEY_MODELS:
        rows = (model.objects.exclude(currency__in=["", currency]).exclude(currency__in=rated)
                .values("currency").annotate(count=Count("pk")).order_by())
        for row in rows:
            missing[row["currency"]] = missing.get(row["currency"], 0) + row["count"]
    # A rate for the previous currency itself was unused while it was the reporting one.
    stated_in = sorted(rated - {currency, previous}) if previous and previous != currency else []
    return CurrencyNeeds(currency=currency, missing=sorted(missing.items()), previous=previous,
                         stated_in=stated_in)
