"""Benchmark bands as a reader sees them beside a KPI (issue 17, item 5): the band,
the article it comes from (a short name that links to it) and, for money, its
currency. A band in another currency than the company's would read as the company's
own ("$50-100" on a euro dashboard), so it is restated with the company's exchange
rate when one is imported (``FxRate``, units of the company's currency per unit of the
band's) and says "converted from USD"; without a rate it stays as written and says
"USD band"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from metrics.formatting import format_money
from metrics.kpis.registry import Kpi, Source
from metrics.models import FxRate
from metrics.months import Month


@dataclass(frozen=True)
class ShownBenchmark:
    band: str
    sources: tuple[Source, ...]
    currency: str  # the band's currency, "" when it is not money
    converted_from: str = ""  # the band's currency when restated in the company's

    @property
    def currency_note(self) -> str:
        """"converted from USD", "USD band", or nothing for a band that needs no word."""
        if self.converted_from:
            return f"converted from {self.converted_from}"
        return f"{self.currency} band" if self.currency else ""


def rates_for(kpis: list[Kpi], *, currency: str, month: Month | None) -> dict[str, Decimal]:
    """The exchange rate of each band currency other than the company's: the latest
    one up to ``month`` (or the earliest after it when the rates start later), in one
    query whatever the number of KPIs."""
    wanted = {kpi.benchmark.currency for kpi in kpis
              if kpi.benchmark and kpi.benchmark.currency and kpi.benchmark.currency != currency}
    if not wanted:
        return {}
    rates: dict[str, tuple[bool, Month, Decimal]] = {}
    for code, when, rate in FxRate.objects.filter(currency__in=wanted).values_list("currency", "month", "rate"):
        # Prefer months up to the one shown, the nearest first; then the nearest after it.
        rank = (month is None or when <= month, when if month is None or when <= month else -when.toordinal())
        best = rates.get(code)
        if best is None or rank > best[:2]:
            rates[code] = (*rank, rate)
    return {code: rate for code, (_, _, rate) in rates.items()}


def shown_benchmark(kpi: Kpi, *, currency: str, locale: str, rates: dict[str, Decimal]) -> ShownBenchmark | None:
    benchmark = kpi.benchmark
    if benchmark is None:
        return None
    band_currency = benchmark.currency
    rate = rates.get(band_currency) if band_currency and band_currency != currency else None
    if rate is not None and benchmark.low is not None and benchmark.high is not None:
        low, high = (format_money(Decimal(str(v)) * rate, currency=currency, locale=locale)
                     for v in (benchmark.low, benchmark.high))
        band = f"{low}–{high} {benchmark.wording}".strip()
        return ShownBenchmark(band, benchmark.sources, currency, converted_from=band_currency)
    # The company's own currency, no rate, or a band that is not money: as written.
    return ShownBenchmark(benchmark.band, benchmark.sources, band_currency if band_currency != currency else "")
