"""Plausibility: an import whose KPIs land ten times outside their benchmark band gets
a warning that says so (data-contract.md, "Real exports"; issue 15: a file of cents
read as dollars made MRR 100 times too high, beside its band, without a word).

After each recompute (``kpis_recomputed``, see ``receivers``), every KPI whose
benchmark declares its band's numbers (``Benchmark.low``/``high``) is compared with
them: the median of its monthly values, so that one odd month (a first large customer)
does not speak for the data. Ten times above the top, or below a tenth of the bottom,
the latest import of each kind the KPI is computed from gets a warning, once.
Bands in money are in one currency: they are compared only for a reporting currency
of the same order of magnitude.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median

from django.db import connection

from metrics.kpis.registry import CATALOG, Kpi, Unit
from metrics.models import DataImport, KpiValue

FACTOR = 10
# The kinds whose records a KPI with numeric bounds is computed from.
FED_BY = {"arpu": ("subscriptions",)}
# Currencies worth between about half and twice the band's currency.
SAME_MAGNITUDE = {"USD": {"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SGD"}}


def bounded_kpis(currency: str) -> list[Kpi]:
    """The KPIs whose bands can be compared for a tenant reporting in ``currency``."""
    found = []
    for kpi in CATALOG:
        band = kpi.benchmark
        if band is None or (band.low is None and band.high is None) or kpi.key not in FED_BY:
            continue
        if kpi.unit == Unit.MONEY and currency not in SAME_MAGNITUDE.get(band.currency, {band.currency}):
            continue
        found.append(kpi)
    return found


def outside(kpi: Kpi, value: Decimal) -> str:
    """How ``value`` lies ten times outside the KPI's band ("" when it does not)."""
    band = kpi.benchmark
    if band.high is not None and value > Decimal(str(band.high)) * FACTOR:
        return "above"
    if band.low is not None and 0 <= value < Decimal(str(band.low)) / FACTOR:
        return "below"
    return ""


def warning(kpi: Kpi, value: Decimal, where: str, data_import: DataImport, currency: str) -> str:
    amount = f"{value:,.2f}{f' {currency}' if kpi.unit == Unit.MONEY else ''}"
    if where == "above":
        far = f"more than {FACTOR} times the top of its benchmark band ({kpi.benchmark.band})"
        hint = ("if the amounts of this file are in cents, undo this import and import the file again with "
                "amount_unit=cents" if data_import.amount_unit == DataImport.AmountUnit.UNITS
                else "check the amounts' unit")
    else:
        far = f"less than a tenth of the bottom of its benchmark band ({kpi.benchmark.band})"
        hint = ("if the amounts of this file were not in cents, undo this import and import the file again "
                "without amount_unit=cents" if data_import.amount_unit == DataImport.AmountUnit.CENTS
                else "check the amounts' unit")
    return f"{kpi.name} is {amount} in a typical month (the median), {far}: {hint}."


def check_after_recompute() -> list[str]:
    """Compare the tenant's KPIs with their bands; a warning on the latest import of
    each kind that feeds a KPI far outside. Returns the warnings added."""
    currency = connection.tenant.currency
    added = []
    for kpi in bounded_kpis(currency):
        values = list(KpiValue.objects.filter(kpi=kpi.key, value__isnull=False).values_list("value", flat=True))
        if not values:
            continue
        value = median(values)
        where = outside(kpi, value)
        if not where:
            continue
        for kind in FED_BY[kpi.key]:
            latest = (DataImport.objects.filter(kind=kind, undone_at__isnull=True,
                                                origin__in=[DataImport.Origin.UPLOAD, DataImport.Origin.API],
                                                job__status="succeeded")
                      .order_by("-created_at").first())
            if latest is None or any(text.startswith(f"{kpi.name} is ") for text in latest.warnings):
                continue
            text = warning(kpi, value, where, latest, currency)
            latest.warnings = [*latest.warnings, text]
            latest.save(update_fields=["warnings"])
            added.append(text)
    return added
