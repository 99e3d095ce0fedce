"""Cohorts (docs/cohorts.md): customers grouped by the month they first paid (or signed
up), followed month by month. One statement per matrix (sql/cohort_matrix.sql) gives
each cohort's size and start MRR and, per later month end, how many of its customers
pay, their MRR and their MRR capped at each one's start; every metric is worked out from
those figures here, so the page, the API and the CSV show the same numbers.

The SQL builds on the engine's (``/*common*/``: months, exchange rates, each
subscription's 12 x MRR), so a cohort's MRR is part of the engine's MRR of the month.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from metrics.kpis.compute import SESSION_SETTINGS
from metrics.kpis import kept
from metrics.kpis.drilldown.records import RecordSet
from metrics.kpis.engine import side_connections
from metrics.kpis.engine.figures import Scope
from metrics.kpis.engine.statements import ENGINE_SQL, SqlFiles
from metrics.months import Month, months_between
from metrics.segments.engine import segment_tables
from metrics.segments.filters import EVERYONE, CustomerFilter

COHORT_SQL = SqlFiles(Path(__file__).parent / "sql", base=ENGINE_SQL)

# metric -> unit (as KPI units: "percent", "money").
METRICS = {
    "customer_retention": "percent",
    "mrr_retention": "percent",
    "gross_mrr_retention": "percent",
    "arpu": "money",
}
METRIC_LABELS = {
    "customer_retention": "Customer retention",
    "mrr_retention": "Net MRR retention",
    "gross_mrr_retention": "Gross MRR retention",
    "arpu": "ARPU",
}
BY = {"first_paid_month": "First paid month", "signup_month": "Sign-up month"}
STATUSES = {"paying": "Still paying", "gone": "Not paying"}

HUNDRED = Decimal(100)
TWELVE = Decimal(12)
PLACES = Decimal("0.0001")


@contextmanager
def _session(customer_filter: CustomerFilter = EVERYONE, currency: str = "") -> Iterator:
    """A cursor with the engine's session settings (compute.py): room to hash and sort
    in memory, and no JIT, whose compiling alone took seconds for this statement. With a
    filter, inside segments' ``segment_tables`` (which sets them too): the customer
    tables read as the filter keeps them, so the cohort SQL runs unchanged on the segment."""
    if customer_filter:
        with segment_tables(customer_filter=customer_filter, currency=currency), connection.cursor() as cursor:
            yield cursor
        return
    # One snapshot for the shards' connections (side_connections.py).
    with side_connections.one_snapshot(session=SESSION_SETTINGS, read_only=True) as cursor:
        yield cursor


class CellCustomers(RecordSet):
    """A RecordSet whose count and pages run with the session settings too, and on the
    filter's segment: its temporary views live for one transaction, so each count and
    page sets them up again."""

    def __init__(self, sql: str, params: dict[str, Any], *, customer_filter: CustomerFilter = EVERYONE,
                 currency: str = ""):
        super().__init__(sql, params)
        self.customer_filter, self.currency = customer_filter, currency

    def count(self) -> int:
        if self._count is None:
            with _session(self.customer_filter, self.currency) as cursor:
                cursor.execute(f"SELECT count(*) FROM ({self.sql}) AS records", self.params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        with _session(self.customer_filter, self.currency):
            return super().__getitem__(window)


def _index(month: Month) -> int:
    return month.year * 12 + month.month - 1


@dataclass(frozen=True)
class Cell:
    """One cohort at one month end: how many of its customers pay, their MRR (x 12) and
    that MRR capped at each customer's start MRR (x 12)."""

    month: Month
    paying: int
    mrr12: Decimal
    capped12: Decimal


@dataclass(frozen=True)
class Cohort:
    month: Month
    size: int
    start12: Decimal
    cells: tuple[Cell, ...]  # cells[k]: the end of the month cohort + k

    @property
    def start_mrr(self) -> Decimal:
        return self.start12 / TWELVE


@dataclass(frozen=True)
class Matrix:
    by: str
    first: Month | None  # the first and last cohort month asked for (None: no data)
    last: Month | None
    cohorts: tuple[Cohort, ...]

    def values(self, metric: str) -> list[list[Decimal | None]]:
        """The figure of every cell, cohort by cohort (docs/cohorts.md)."""
        return [[value(metric, size=cohort.size, start12=cohort.start12, paying=cell.paying,
                       mrr12=cell.mrr12, capped12=cell.capped12) for cell in cohort.cells]
                for cohort in self.cohorts]

    def averages(self, metric: str) -> list[Decimal | None]:
        """Per column k, the figure of all cohorts that have reached month k pooled
        together (sums of customers and of MRR, not a mean of percentages), so a cohort
        of 3 customers weighs as 3 customers, not as much as one of 3,000."""
        columns = max((len(cohort.cells) for cohort in self.cohorts), default=0)
        averages = []
        for k in range(columns):
            reached = [cohort for cohort in self.cohorts if len(cohort.cells) > k]
            averages.append(value(
                metric, size=sum(c.size for c in reached), start12=sum(c.start12 for c in reached),
                paying=sum(c.cells[k].paying for c in reached), mrr12=sum(c.cells[k].mrr12 for c in reached),
                capped12=sum(c.cells[k].capped12 for c in reached)))
        return averages


def value(metric: str, *, size: int, start12: Decimal, paying: int, mrr12: Decimal,
          capped12: Decimal) -> Decimal | None:
    """One figure from a cell's sums; None where its base is nothing (a cohort without
    MRR at its start has no MRR retention; a month without paying customers no ARPU)."""
    if metric == "customer_retention":
        result = Decimal(paying) * HUNDRED / size if size else None
    elif metric == "mrr_retention":
        result = Decimal(mrr12) * HUNDRED / start12 if start12 else None
    elif metric == "gross_mrr_retention":
        result = Decimal(capped12) * HUNDRED / start12 if start12 else None
    elif metric == "arpu":
        result = Decimal(mrr12) / TWELVE / paying if paying else None
    else:
        raise ValueError(f"unknown cohort metric {metric!r}")
    return None if result is None else result.quantize(PLACES, rounding=ROUND_HALF_UP)


def _params(*, by: str, series_first: Month, series_last: Month, first: Month, last: Month,
            currency: str, timezone: str) -> dict[str, Any]:
    return {**Scope(series_first, series_last, currency, timezone).params(), "by": by,
            "from_mi": _index(first), "to_mi": _index(last)}


def matrix(*, by: str, first: Month, last: Month, currency: str, timezone: str,
           data_first: Month | None, customer_filter: CustomerFilter = EVERYONE) -> Matrix:
    """Cohorts ``first`` .. ``last`` followed to the end of ``last``. The month series
    starts at the first month with data (``data_first``) so each customer's first paid
    month is its first ever, not the first of the range asked for. ``customer_filter``:
    the cohorts of the segment (docs/cohorts.md).

    A matrix changes only with the data: it is kept until the next recompute
    (metrics/kpis/kept.py), and the recompute's task computes the default ones ahead
    (tasks.py), so the page opens without computing."""
    return kept.until_next_recompute(
        "cohorts", (by, first, last, currency, timezone, data_first, customer_filter.text),
        lambda: compute_matrix(by=by, first=first, last=last, currency=currency, timezone=timezone,
                               data_first=data_first, customer_filter=customer_filter),
        version=kept.data_version())


def compute_matrix(*, by: str, first: Month, last: Month, currency: str, timezone: str,
                   data_first: Month | None, customer_filter: CustomerFilter = EVERYONE) -> Matrix:
    """matrix(), computed: one statement per shard of the customers."""
    series_first = min(first, data_first) if data_first else first
    params = _params(by=by, series_first=series_first, series_last=last, first=first, last=last,
                     currency=currency, timezone=timezone)
    # Unfiltered, the customers' shards run side by side on the engine's connections;
    # a segment's views live on one connection, so there it is one statement.
    shards = 1 if customer_filter else max(settings.KPIHUB_KPI_CONNECTIONS, 1)
    statements = [(shard, COHORT_SQL.load("cohort_matrix"), {**params, "shard": shard, "shards": shards})
                  for shard in range(shards)]
    with _session(customer_filter, currency):
        by_shard = side_connections.run_all(statements, session=SESSION_SETTINGS)
    # Every figure is a sum over customers: a cell is the sum of its shards' cells.
    sums: dict[tuple[Month, Month], list] = {}
    for row in (row for rows in by_shard.values() for row in rows):
        figures = [row["size"], row["start12"], row["paying"], row["mrr12"], row["capped12"]]
        cell = sums.get((row["cohort"], row["month"]))
        sums[row["cohort"], row["month"]] = figures if cell is None else [a + b for a, b in zip(cell, figures)]
    cohorts: dict[Month, list] = {}
    for (cohort_month, month), (size, start12, paying, mrr12, capped12) in sorted(sums.items()):
        entry = cohorts.setdefault(cohort_month, [size, start12, []])
        entry[2].append(Cell(month, paying, mrr12, capped12))
    return Matrix(by, first, last, tuple(Cohort(month, size, start12, tuple(cells))
                                         for month, (size, start12, cells) in cohorts.items()))


def cell_customers(*, by: str, cohort: Month, month: Month, status: str, currency: str, timezone: str,
                   data_first: Month | None, customer_filter: CustomerFilter = EVERYONE) -> RecordSet:
    """The customers behind one cell: the cohort's members paying (``status`` "paying")
    or not ("gone") at the end of ``month``; a RecordSet, so it pages as the KPI
    drill-down does (with the session settings)."""
    series_first = min(cohort, data_first) if data_first else cohort
    params = _params(by=by, series_first=series_first, series_last=month, first=cohort, last=cohort,
                     currency=currency, timezone=timezone)
    params.update(month_mi=_index(month), paying=status == "paying", shard=0, shards=1)
    return CellCustomers(COHORT_SQL.load("cohort_customers"), params, customer_filter=customer_filter,
                         currency=currency)


def columns(matrix_: Matrix) -> list[int]:
    """The column numbers k (months since the cohort month) of the widest row."""
    if matrix_.first is None or matrix_.last is None or not matrix_.cohorts:
        return []
    return list(range(months_between(matrix_.cohorts[0].month, matrix_.last) + 1))


def default_range(*, data_first: Month | None, data_last: Month | None,
                  now_month: Month) -> tuple[Month | None, Month | None]:
    """The months a matrix runs over when not told: from the first month with data to
    the last, or this month when data runs on (subscriptions ending later)."""
    if data_first is None or data_last is None:
        return None, None
    return data_first, max(min(data_last, now_month), data_first)
