"""The cohort matrix (metrics/cohorts) against pandas on the same tenant data.

    .venv/bin/python benchmarks/cohorts.py [--customers 50000 --subscriptions 100000
                                            --invoices 1000000 --months 24 --runs 5]

Generates the KPI benchmark's data set (benchmarks/kpi_reference/dataset.py: customers,
subscriptions in three currencies with plan changes and win-backs, invoices ...), loads
it with COPY into a tenant signed up in a database of its own (``<name>_cohorts_bench``,
dropped at the end unless ``--keep``), then measures:

* computing: ``metrics.cohorts.selectors.compute_matrix`` over every month of the data
  set, by first paid month (sql/cohort_matrix.sql, its customers' shards side by side on
  1 and on KPIHUB_KPI_CONNECTIONS connections, and its rows read);
* the page's read: after a recompute and the default matrices computed ahead (as the
  recompute's task does), ``selectors.matrix`` for the page's default choice;
* pandas: the same matrix computed from the frames already in memory (subscriptions and
  exchange rates; no read from the database counted), an independent implementation of
  docs/cohorts.md's definitions.

Every cell of both (size, start MRR, paying customers, MRR, capped MRR) is compared;
any disagreement fails the run. Uses DATABASE_URL / REDIS_URL when set, else the
embedded servers.
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

FACTORS = {"week": 52, "month": 12, "quarter": 4, "year": 1}


def main() -> None:
    data_set_benchmark("cohorts", run, runs=5)


def run(args, shape, tables) -> bool:
    from django.conf import settings

    from metrics.cohorts import selectors, tasks
    from metrics.kpis import compute

    first, last = shape.first, shape.last

    def engine_run():
        return selectors.compute_matrix(by="first_paid_month", first=first, last=last, currency=shape.currency,
                                        timezone=shape.timezone, data_first=first)

    engine_run()  # warm: the statement's plan and the tables' pages, as a page served twice
    timings = {}
    for connections in sorted({1, settings.KPIHUB_KPI_CONNECTIONS}):
        settings.KPIHUB_KPI_CONNECTIONS = connections
        timings[connections] = timed(engine_run, args.runs)
    engine_s, engine_runs, matrix = timings[max(timings)]
    cells = sum(len(cohort.cells) for cohort in matrix.cohorts)
    for connections, (median, runs, _) in timings.items():
        print(f"computing the matrix, {connections} connection(s): median {median * 1000:.0f} ms over {args.runs} "
              f"runs ({', '.join(f'{t * 1000:.0f}' for t in runs)}); {len(matrix.cohorts)} cohorts, {cells} cells, "
              f"{sum(c.size for c in matrix.cohorts):,} customers")

    # What the Cohorts page waits for: the recompute that follows an import, then the
    # default matrices its task computes ahead, then the page's read (choices + matrix).
    compute.recompute_kpis()
    tasks.compute_default_matrices.run()
    from metrics.cohorts.choices import choose

    def page_read():
        choice = choose({}, timezone=shape.timezone)
        return selectors.matrix(by=choice.by, first=choice.first, last=choice.last, currency=shape.currency,
                                timezone=shape.timezone, data_first=choice.data_first)

    read_s, read_runs, _ = timed(page_read, args.runs)
    print(f"the page's matrix after a recompute (kept, selectors.matrix): median {read_s * 1000:.1f} ms over "
          f"{args.runs} runs ({', '.join(f'{t * 1000:.1f}' for t in read_runs)}); "
          f"computing it ahead after the recompute: {engine_s * 1000:.0f} ms per matrix on the worker")

    pandas_s, pandas_runs, reference = timed(lambda: pandas_matrix(tables, shape), args.runs)
    print(f"pandas (frames in memory): median {pandas_s * 1000:.0f} ms over {args.runs} runs "
          f"({', '.join(f'{t * 1000:.0f}' for t in pandas_runs)})")
    print(f"computing / pandas: {engine_s / pandas_s:.2f}; the page's read / pandas: {read_s / pandas_s:.4f}")
    problems = compare(matrix, reference)
    print(f"selector vs pandas: {cells} cells, {len(problems)} disagreements")
    for problem in problems[:20]:
        print("  ", problem)
    return not problems


def pandas_matrix(tables, shape) -> dict:
    """{(cohort index, month index): (size, start12, paying, mrr12, capped12)} from the
    frames, by the definitions: a paying subscription is active at the end of the months
    from its start's to the one before its end_date's, worth amount x quantity x (12 x per
    interval) at that month's rate; a customer's first paid month is its cohort."""
    import numpy as np
    import pandas as pd

    first_mi = shape.first.year * 12 + shape.first.month - 1
    last_mi = shape.last.year * 12 + shape.last.month - 1
    months = last_mi - first_mi + 1
    subs = tables["metrics_subscription"]
    subs = subs[subs["amount"] > 0]
    start = pd.to_datetime(subs["start_date"])
    end = pd.to_datetime(subs["end_date"])
    start_k = (start.dt.year * 12 + start.dt.month - 1 - first_mi).to_numpy()
    end_k = (end.dt.year * 12 + end.dt.month - 1 - first_mi).fillna(months).to_numpy().astype(int)
    end_k = np.minimum(end_k, months)
    native12 = (subs["amount"].astype(float) * subs["quantity"] * subs["interval"].map(FACTORS)).to_numpy()

    # Rates per currency and month: the latest at or before the month, else the first.
    rates = tables["metrics_fxrate"]
    currencies = ["", shape.currency, *sorted(set(rates["currency"]) - {"", shape.currency})]
    code = {currency: index for index, currency in enumerate(currencies)}
    table = np.ones((len(currencies), months))
    for currency, group in rates.groupby("currency"):
        if currency in ("", shape.currency):
            continue
        month = pd.to_datetime(group["month"])
        order = np.argsort((month.dt.year * 12 + month.dt.month - 1).to_numpy())
        index = (month.dt.year * 12 + month.dt.month - 1 - first_mi).to_numpy()[order]
        values = group["rate"].astype(float).to_numpy()[order]
        latest = np.searchsorted(index, np.arange(months), side="right") - 1
        table[code[currency]] = values[np.maximum(latest, 0)]
    currency_codes = subs["currency"].map(code).to_numpy()
    keep = ~np.isnan(currency_codes.astype(float)) & (start_k < months) & (end_k > start_k)
    start_k, end_k, native12 = start_k[keep], end_k[keep], native12[keep]
    currency_codes = currency_codes[keep].astype(int)
    customers = subs["customer_id"].to_numpy()[keep]

    lengths = end_k - start_k
    rows = np.repeat(np.arange(len(lengths)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    k = start_k[rows] + offsets
    money = native12[rows] * table[currency_codes[rows], k]
    frame = pd.DataFrame({"customer": customers[rows], "k": k, "cmrr12": money})
    cmrr = frame.groupby(["customer", "k"], sort=False)["cmrr12"].sum().reset_index()
    cohort = cmrr.groupby("customer")["k"].transform("min")
    cmrr["cohort"] = cohort
    start12 = cmrr["cmrr12"].where(cmrr["k"] == cohort).groupby(cmrr["customer"]).transform("max")
    cmrr["capped12"] = np.minimum(cmrr["cmrr12"], start12)
    cells = cmrr.groupby(["cohort", "k"]).agg(paying=("cmrr12", "size"), mrr12=("cmrr12", "sum"),
                                              capped12=("capped12", "sum"))
    sizes = cmrr[cmrr["k"] == cmrr["cohort"]].groupby("cohort").agg(size=("cmrr12", "size"), start12=("cmrr12", "sum"))
    result = {}
    for (cohort_k, month_k), cell in cells.iterrows():
        size = sizes.loc[cohort_k]
        result[cohort_k + first_mi, month_k + first_mi] = (
            int(size["size"]), size["start12"], int(cell["paying"]), cell["mrr12"], cell["capped12"])
    return result


def compare(matrix, reference: dict) -> list[str]:
    """Counts equal, money equal to a millionth (pandas sums floats, the selector numerics)."""
    def close(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-6 * max(1.0, abs(b))

    problems, seen = [], set()
    for cohort in matrix.cohorts:
        cohort_mi = cohort.month.year * 12 + cohort.month.month - 1
        for cell in cohort.cells:
            key = (cohort_mi, cell.month.year * 12 + cell.month.month - 1)
            seen.add(key)
            mine = (cohort.size, float(cohort.start12), cell.paying, float(cell.mrr12), float(cell.capped12))
            theirs = reference.get(key, (cohort.size, float(cohort.start12), 0, 0.0, 0.0))
            if not (mine[0] == theirs[0] and mine[2] == theirs[2]
                    and all(close(mine[n], theirs[n]) for n in (1, 3, 4))):
                problems.append(f"cohort {cohort.month:%Y-%m} at {cell.month:%Y-%m}: selector {mine}, pandas {theirs}")
    problems += [f"pandas has cell {key} the selector has not" for key in reference if key not in seen]
    return problems


if __name__ == "__main__":
    main()
