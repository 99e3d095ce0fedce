"""Every KPI of one segment (issue 18, item 5): the segment engine against pandas on the
same tenant data.

    .venv/bin/python benchmarks/segments.py [--customers 50000 --subscriptions 100000
                                             --invoices 1000000 --months 24 --runs 5]

Generates the KPI benchmark's data set (benchmarks/kpi_reference/dataset.py), loads it
with COPY into a tenant signed up in a database of its own (``<name>_segments_bench``,
dropped at the end unless ``--keep``), then for each filter of FILTERS measures:

* the engine: ``metrics.segments.engine.segment_results``, every KPI of the catalog for
  the segment, computed on the fly (nothing is stored per segment). A month's values
  need the months before it (movements tell a new customer from a returning one by
  its whole history; churn is averaged over three months), so one month's KPIs cost
  the whole series: what is timed is what a page asking for one month waits for;
* pandas: the same figures from the frames already in memory, filtered to the segment
  the way docs/kpis.md says a filter keeps rows (the customers whose attributes match,
  of a subscription attribute the subscriptions that match and the customers having
  one; the kept customers' invoices and tickets), by the independent implementation of
  benchmarks/kpi_reference/pandas_engine.py, through the engine's formulas.

Every value of every KPI that can follow a customer filter is compared; any
disagreement fails the run. Uses DATABASE_URL / REDIS_URL when set, else the embedded
servers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")

from kpis import timed  # noqa: E402
from scratch_database import data_set_benchmark  # noqa: E402

# From a sixth of the customers to about half; customer and subscription attributes.
FILTERS = ("country:DE", "channel:organic,country:DE|FR", "plan:growth,country:DE", "interval:year",
           "plan:starter", "country:DE|FR|US")
CUSTOMER_ATTRIBUTES = ("channel", "country", "segment")


def main() -> None:
    data_set_benchmark("segments", run, runs=5)


def run(args, shape, tables) -> bool:
    from django.conf import settings

    from benchmarks.kpi_reference import compare, pandas_engine
    from metrics.kpis import compute
    from metrics.kpis.registry import tenant_kpis
    from metrics.months import add_months
    from metrics.segments.engine import CANNOT_FOLLOW, segment_results
    from metrics.segments.filters import parse_filter

    summary = compute.recompute_kpis()  # as after an import: the stored months a segment lines up with
    first, last = summary.first_month, summary.last_month
    kpis = tenant_kpis()
    print(f"connections: {settings.KPIHUB_KPI_CONNECTIONS}; months {first:%Y-%m} .. {last:%Y-%m}; "
          f"{len(kpis)} KPIs")
    print("| filter | customers | engine median | pandas median | engine / pandas | values compared |")
    print("|---|---|---|---|---|---|")
    agree = True
    for text in FILTERS:
        customer_filter = parse_filter(text)

        def engine_run():
            return segment_results(customer_filter=customer_filter, kpis=kpis, first=first, last=last,
                                   currency=shape.currency, timezone=shape.timezone)

        engine_run()  # warm, as a page asked twice
        engine_s, engine_runs, results = timed(engine_run, args.runs)
        scope = {"first": add_months(first, -1), "last": last, "currency": shape.currency,
                 "timezone": shape.timezone}

        def pandas_run():
            segment = segment_frames(tables, text)
            return compare.values(pandas_engine.figures(segment, **scope), kpis, first), segment

        pandas_s, pandas_runs, (reference, segment) = timed(pandas_run, args.runs)
        engine = {(r.kpi, r.month): r.value for r in results if r.reason != CANNOT_FOLLOW}
        problems = compare.disagreements(engine, {key: reference.get(key) for key in engine})
        agree = agree and not problems
        print(f"| `{text}` | {len(segment['metrics_customer']):,} | {engine_s * 1000:.0f} ms "
              f"({', '.join(f'{t * 1000:.0f}' for t in engine_runs)}) | {pandas_s * 1000:.0f} ms "
              f"({', '.join(f'{t * 1000:.0f}' for t in pandas_runs)}) | {engine_s / pandas_s:.2f} | "
              f"{len(engine):,}, {len(problems)} disagreements |")
        for problem in problems[:10]:
            print("   ", problem)
    return agree


def segment_frames(tables: dict, text: str) -> dict:
    """The frames as the filter keeps them (docs/kpis.md, "Segments")."""
    conditions = dict(part.split(":", 1) for part in text.split(","))
    customers = tables["metrics_customer"]
    keep = customers.index == customers.index
    for attribute in CUSTOMER_ATTRIBUTES:
        if attribute in conditions:
            keep &= customers[attribute].isin(conditions[attribute].split("|"))
    ids = set(customers.loc[keep, "customer_id"])
    subscriptions = tables["metrics_subscription"]
    subscriptions = subscriptions[subscriptions["customer_id"].isin(ids)]
    for attribute in ("plan", "interval"):
        if attribute in conditions:
            subscriptions = subscriptions[subscriptions[attribute].isin(conditions[attribute].split("|"))]
            ids &= set(subscriptions["customer_id"])
    segment = dict(tables)
    segment["metrics_customer"] = customers[customers["customer_id"].isin(ids)]
    segment["metrics_subscription"] = subscriptions
    for table in ("metrics_invoice", "metrics_ticket"):
        segment[table] = tables[table][tables[table]["customer_id"].isin(ids)]
    return segment


if __name__ == "__main__":
    main()
