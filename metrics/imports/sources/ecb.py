"""The European Central Bank's euro foreign exchange reference rates (the historical
file ``eurofxref-hist.csv``, or the day's ``eurofxref.csv``), as exchange rates
(docs/sources.md).

The file has one row per working day, newest first, and one column per currency: the
units of that currency one euro buys. ``N/A`` marks a day a currency was not quoted
(currencies that joined the euro or stopped being published); the header and every row
end with a comma (an unnamed last column).

KPI Hub's rate is per month and in the company's reporting currency: units of the
reporting currency per one unit of the currency. A day's rate of currency C in
reporting currency R is ``R per euro / C per euro`` (the euro's own is ``R per euro``);
a month's rate is the average of its working days' rates, the month's flows (revenue,
expenses) accruing through the whole month. Only the month totals are kept while the
file is read, never its rows.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import connection

from metrics.imports.sources.declaring import Doc, Row, Source, Take
from metrics.imports.sources.values import date_of

REFERENCE_RATES = Doc("https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/"
                      "html/index.en.html", "Euro foreign exchange reference rates (European Central Bank)",
                      "the rates as units of each currency per 1 euro, published every working day (not on "
                      "TARGET closing days); the time series as CSV with a dot as decimal separator")
HISTORICAL_FILE = Doc("https://github.com/alexprengere/currencyconverter",
                      "currencyconverter (a public reader of the ECB's eurofxref-hist.csv)",
                      "the file's layout: a Date column then one column per currency, newest day first, N/A "
                      "where a currency has no rate that day, a trailing comma on every line")

PLACES = Decimal("0.0000000001")    # fx_rates.rate: 10 decimal places


def _day(text: str) -> str:
    """``2024-01-31``, or ``31 January 2024`` as the day's file writes it."""
    text = text.strip()
    try:
        return datetime.datetime.strptime(text, "%d %B %Y").date().isoformat()
    except ValueError:
        return date_of(text)


def _quote(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value > 0 else None


def _monthly_rates(rows: Iterator[Row]) -> Iterator[tuple[int, dict[str, str]]]:
    reporting = connection.tenant.currency.upper()
    sums: dict[tuple[str, str], Decimal] = {}
    days: Counter = Counter()
    first_line: dict[str, int] = {}
    counts: Counter | None = None
    for row in rows:
        counts = row.counts
        day = _day(row.get("Date"))
        if len(day) != 10 or day[4] != "-":
            row.count("unreadable date", row.line)
            continue
        quotes = {"EUR": Decimal(1)}
        currencies = [name for name in row.index if name and name != "date"]
        for name in currencies:
            value = _quote(row.get(name))
            if value is None:
                row.count("not quoted")
            else:
                quotes[name.upper()] = value
        if reporting not in quotes:
            row.count("no reporting rate")
            continue
        month = day[:7]
        first_line.setdefault(month, row.line)
        row.count("day")
        for currency, per_euro in quotes.items():
            if currency == reporting:
                continue
            key = (month, currency)
            sums[key] = sums.get(key, Decimal(0)) + quotes[reporting] / per_euro
            days[key] += 1
    for (month, currency), total in sorted(sums.items()):
        rate = (total / days[(month, currency)]).quantize(PLACES, rounding=ROUND_HALF_EVEN)
        if counts is not None:
            counts[("rate", month)] += 1
        yield first_line[month], {"currency": currency, "month": month, "rate": str(rate)}
    if counts is not None:
        counts[("reporting", reporting)] += 1


def _remarks(counts: Counter) -> list[str]:
    reporting = next((key[1] for key in counts if key[0] == "reporting"), "")
    months = sorted(key[1] for key in counts if key[0] == "rate")
    notes = []
    if months:
        notes.append(f"Each month's rate is the average of the ECB's daily reference rates in it ({counts[('day',)]:,} "
                     f"working days, {len(set(months))} months from {months[0]} to {months[-1]}), as units of "
                     f"{reporting} per unit: {reporting} per euro divided by the currency per euro.")
    if counts[("no reporting rate",)]:
        n = counts[("no reporting rate",)]
        notes.append(f"{n:,} day{'s' if n > 1 else ''} without a rate for your reporting currency {reporting} "
                     f"{'were' if n > 1 else 'was'} left out (the ECB does not publish it, or not on "
                     f"{'those days' if n > 1 else 'that day'}).")
    if counts[("not quoted",)]:
        notes.append(f"{counts[('not quoted',)]:,} N/A cells (a currency not quoted that day) were left out of the "
                     f"averages; a currency has rates only for the months it was quoted in.")
    unreadable = sorted(key[1] for key in counts if key[0] == "unreadable date")
    if unreadable:
        notes.append(f"{len(unreadable)} row{'s' if len(unreadable) > 1 else ''} without a readable Date "
                     f"{'were' if len(unreadable) > 1 else 'was'} left out (line "
                     f"{', '.join(str(line) for line in unreadable[:10])}).")
    return notes


ECB_REFERENCE_RATES = Source(
    key="ecb_reference_rates", name="ECB euro reference rates", vendor="European Central Bank", kind="fx_rates",
    documentation=(REFERENCE_RATES, HISTORICAL_FILE),
    recognise=("Date", "USD", "JPY", "GBP", "CHF"),
    takes=(
        Take("currency", "each currency column, and EUR itself (not your reporting currency)", lambda row: ""),
        Take("month", "the month of Date", lambda row: ""),
        Take("rate", "the month's average of the daily rates, in your reporting currency: its rate per euro "
             "divided by the currency's rate per euro", lambda row: ""),
    ),
    regroup=_monthly_rates,
    remarks=_remarks,
)
