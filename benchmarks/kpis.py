"""KPI engine against pandas and DuckDB on the same tenant data.

    .venv/bin/python benchmarks/kpis.py [--customers 50000 --subscriptions 100000
                                         --invoices 1000000 --months 24 --runs 3]

Generates a tenant dataset (benchmarks/kpi_reference/dataset.py), loads it with COPY
into a tenant signed up in a database of its own (``<name>_kpis_bench``, dropped at the
end unless ``--keep``), then measures:

* the engine: ``metrics.kpis.compute.recompute_kpis`` (every catalog KPI and the custom
  metric, every month: SQL figures, formulas, upsert of the values);
* pandas: reading the source tables (``read_sql``), and computing the same figures
  from the frames with an independent implementation (kpi_reference/pandas_engine.py);
* DuckDB: the engine's own SQL files run on the same in-memory frames, the practical
  limit of a columnar in-process engine.

The three sets of figures go through the same formulas (metrics/kpis/evaluate.py) and
every KPI value of every month is compared; any disagreement fails the run. Uses
DATABASE_URL / REDIS_URL when set, else the embedded servers.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")

from scratch_database import data_set_benchmark  # noqa: E402



def timed(function, runs: int):
    """(median seconds, all timings, the last result)."""
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), timings, result


def main() -> None:
    data_set_benchmark("kpis", run, runs=3, switches=[("--only-engine", "time the engine alone")])


def run(args, shape, tables) -> bool:
    from django.db import connection

    from metrics.kpis.compute import recompute_kpis
    from metrics.models import KpiValue


    # "Now" is inside the last month, so the months are exactly the dataset's.
    now = datetime(shape.last.year, shape.last.month, 15, 12, tzinfo=ZoneInfo("UTC"))
    engine_s, engine_runs, summary = timed(lambda: recompute_kpis(now=now), args.runs)
    print(f"engine: median {engine_s:.3f} s over {args.runs} runs "
          f"({', '.join(f'{t:.3f}' for t in engine_runs)}); {summary.values:,} values, "
          f"months {summary.first_month:%Y-%m}..{summary.last_month:%Y-%m}")
    if args.only_engine:
        return True
    read_s, read_runs, frames = timed(lambda: read_tables(connection), args.runs)
    rows = sum(len(frame) for frame in frames.values())
    print(f"pandas read_sql of the {len(frames)} tables ({rows:,} rows): median {read_s:.3f} s "
          f"({', '.join(f'{t:.3f}' for t in read_runs)})")
    print(f"engine / pandas read floor: {engine_s / read_s:.2f}")
    assert KpiValue.objects.count() == summary.values
    return side_by_side(shape, tables, summary, engine_s, read_s, args.runs)


def side_by_side(shape, tables, summary, engine_s: float, read_s: float, runs: int) -> bool:
    """DuckDB running the engine's SQL on the in-memory frames, every value compared."""
    from benchmarks.kpi_reference import compare, duckdb_engine
    from metrics.months import add_months
    from metrics.kpis.registry import tenant_kpis
    from metrics.models import KpiValue

    kpis = tenant_kpis()
    engine = {(row.kpi, row.month): row.value for row in KpiValue.objects.all()}
    scope = {"first": add_months(summary.first_month, -1), "last": summary.last_month,
             "currency": shape.currency, "timezone": shape.timezone}
    connection = duckdb_engine.connect(tables)

    def duckdb_run():
        return compare.values(duckdb_engine.figures(connection, **scope), kpis, summary.first_month)

    duck_s, duck_runs, duck_values = timed(duckdb_run, runs)
    print(f"duckdb (engine's SQL, frames in memory): median {duck_s:.3f} s "
          f"({', '.join(f'{t:.3f}' for t in duck_runs)}); engine / duckdb: {engine_s / duck_s:.2f}")
    from benchmarks.kpi_reference import pandas_engine

    def pandas_run():
        return compare.values(pandas_engine.figures(tables, **scope), kpis, summary.first_month)

    pandas_s, pandas_runs, pandas_values = timed(pandas_run, runs)
    print(f"pandas compute (frames in memory): median {pandas_s:.3f} s "
          f"({', '.join(f'{t:.3f}' for t in pandas_runs)})")
    print(f"pandas read + compute: {read_s + pandas_s:.3f} s; engine / (pandas read + compute): "
          f"{engine_s / (read_s + pandas_s):.2f}; engine / pandas compute alone: {engine_s / pandas_s:.2f}")
    agree = True
    for label, other in (("duckdb", duck_values), ("pandas", pandas_values)):
        problems = compare.disagreements(engine, other)
        print(f"engine vs {label}: {len(engine):,} values, {len(problems)} disagreements")
        for problem in problems[:20]:
            print("  ", problem)
        agree = agree and not problems
    return agree


KPI_TABLES = ("metrics_customer", "metrics_subscription", "metrics_invoice", "metrics_expense",
              "metrics_traffic", "metrics_lead", "metrics_ticket", "metrics_survey_response",
              "metrics_metricvalue", "metrics_fxrate")


def read_tables(connection) -> dict:
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas prefers SQLAlchemy; psycopg works
        raw = connection.connection
        return {table: pd.read_sql(f"SELECT * FROM {table}", raw) for table in KPI_TABLES}


if __name__ == "__main__":
    main()
