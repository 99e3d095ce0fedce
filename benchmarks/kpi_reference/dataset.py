"""A tenant's data at the benchmark's scale, generated with numpy (seeded, so every
run measures the same rows), as DataFrames named after the tables they load into.

Shaped to exercise every rule the engine has: plan changes and win-backs (several
subscriptions per customer), every billing interval, three currencies with a gap in
the rates (carry-forward), refunds, open and void invoices, traffic rows without
bounces or conversions, tickets and survey answers as UTC datetimes read in the
tenant's timezone, and metric values for the reserved slugs and a custom metric.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

CHANNELS = np.array(["organic", "paid", "referral", "social", "email"])
SEGMENTS = np.array(["agency", "ecommerce", "consulting", "software"])
COUNTRIES = np.array(["US", "GB", "DE", "PT", "RO", "FR"])
PLANS = np.array(["starter", "growth", "scale"])
INTERVALS = np.array(["month", "quarter", "year", "week"])
CURRENCIES = np.array(["", "EUR", "GBP"])


@dataclass(frozen=True)
class Shape:
    customers: int = 50_000
    subscriptions: int = 100_000
    invoices: int = 1_000_000
    months: int = 24
    first: date = date(2024, 1, 1)
    currency: str = "USD"
    timezone: str = "Europe/Lisbon"

    @property
    def last(self) -> date:
        index = self.first.year * 12 + self.first.month - 1 + self.months - 1
        return date(index // 12, index % 12 + 1, 1)

    @property
    def end(self) -> np.datetime64:
        """The first day after the last month."""
        index = self.first.year * 12 + self.first.month - 1 + self.months
        return np.datetime64(date(index // 12, index % 12 + 1, 1), "D")


def generate(shape: Shape, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = np.datetime64(shape.first, "D")
    days = int((shape.end - start).astype(int))

    def dates(n: int) -> np.ndarray:
        return start + rng.integers(0, days, n).astype("timedelta64[D]")

    def money(values: np.ndarray) -> np.ndarray:
        return np.round(values, 2)

    n = shape.customers
    customer_ids = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    customers = pd.DataFrame({
        "id": np.arange(1, n + 1), "customer_id": customer_ids,
        "name": np.char.add("Customer ", np.arange(1, n + 1).astype(str)),
        "email": np.char.add(np.char.lower(customer_ids), "@customers.example"),
        "signup_date": dates(n), "channel": rng.choice(CHANNELS, n), "country": rng.choice(COUNTRIES, n),
        "segment": rng.choice(SEGMENTS, n), "is_bare": False, "attributes": "{}"})

    # Every customer has a first subscription; the rest are plan changes, add-ons and
    # win-backs of random customers.
    s = shape.subscriptions
    owner = np.concatenate([np.arange(n), rng.integers(0, n, s - n)])
    starts = dates(s)
    lasting = rng.integers(20, 700, s).astype("timedelta64[D]")
    ends = np.where(rng.random(s) < 0.55, starts + lasting, np.datetime64("NaT"))
    ends = np.where(ends >= shape.end, np.datetime64("NaT"), ends)  # stay within the months
    interval = rng.choice(INTERVALS, s, p=[0.7, 0.1, 0.15, 0.05])
    base = rng.choice([29.0, 79.0, 199.0], s, p=[0.55, 0.35, 0.10])
    per_interval = {"month": 1, "quarter": 3, "year": 10, "week": 0.25}
    amount = money(base * np.vectorize(per_interval.get)(interval) * rng.uniform(0.9, 1.1, s))
    amount[rng.random(s) < 0.02] = 0  # free plans
    subscriptions = pd.DataFrame({
        "id": np.arange(1, s + 1),
        "subscription_id": np.char.add("S", np.char.zfill(np.arange(1, s + 1).astype(str), 7)),
        "customer_id": customer_ids[owner], "plan": rng.choice(PLANS, s), "amount": amount,
        "currency": rng.choice(CURRENCIES, s, p=[0.8, 0.15, 0.05]), "interval": interval,
        "quantity": rng.choice([1, 1, 1, 2, 3, 5], s), "start_date": starts,
        "end_date": ends.astype("datetime64[D]")})

    i = shape.invoices
    amounts = money(rng.lognormal(4.2, 0.9, i))
    amounts[rng.random(i) < 0.04] *= -1  # refunds and credit notes
    invoice_customers = customer_ids[rng.integers(0, n, i)].astype(object)
    invoice_customers[rng.random(i) < 0.01] = None
    invoices = pd.DataFrame({
        "id": np.arange(1, i + 1),
        "invoice_id": np.char.add("I", np.char.zfill(np.arange(1, i + 1).astype(str), 8)),
        "customer_id": invoice_customers, "date": dates(i), "amount": amounts,
        "currency": rng.choice(CURRENCIES, i, p=[0.85, 0.1, 0.05]),
        "status": rng.choice(["paid", "open", "void"], i, p=[0.92, 0.05, 0.03])})

    e = shape.months * 90
    categories = rng.choice(["marketing", "sales", "cogs", "operating", "other"], e, p=[0.4, 0.15, 0.2, 0.15, 0.1])
    expenses = pd.DataFrame({
        "id": np.arange(1, e + 1), "expense_id": np.char.add("E", np.arange(1, e + 1).astype(str)),
        "date": dates(e), "category": categories, "amount": money(rng.uniform(100, 20_000, e)),
        "currency": rng.choice(CURRENCIES, e, p=[0.9, 0.1, 0.0]),
        "channel": np.where(categories == "marketing", rng.choice(CHANNELS, e), ""),
        "description": ""})

    all_days = start + np.arange(days).astype("timedelta64[D]")
    t_days = np.repeat(all_days, len(CHANNELS))
    t = len(t_days)
    visits = rng.integers(50, 3000, t)

    def some(values: np.ndarray, missing: float) -> pd.array:
        return pd.array(np.where(rng.random(t) < missing, None, values).tolist(), dtype="Int64")

    traffic = pd.DataFrame({
        "id": np.arange(1, t + 1), "date": t_days, "channel": np.tile(CHANNELS, days), "visits": visits,
        "unique_visitors": some((visits * 0.8).astype(int), 0.05),
        "pageviews": some((visits * 2.6).astype(int), 0.05),
        "bounces": some((visits * rng.uniform(0.3, 0.55, t)).astype(int), 0.1),
        "conversions": some((visits * rng.uniform(0.01, 0.04, t)).astype(int), 0.1)})

    ld = 60_000
    created = dates(ld)
    converted = np.where(rng.random(ld) < 0.12, created + rng.integers(2, 40, ld).astype("timedelta64[D]"),
                         np.datetime64("NaT")).astype("datetime64[D]")
    converted[converted >= shape.end] = np.datetime64("NaT")  # stay within the months
    leads = pd.DataFrame({
        "id": np.arange(1, ld + 1), "lead_id": np.char.add("L", np.arange(1, ld + 1).astype(str)),
        "created_date": created, "channel": rng.choice(CHANNELS, ld), "qualified": rng.random(ld) < 0.35,
        "converted_date": converted, "customer_id": ""})

    tk = 120_000
    opened = (start.astype("datetime64[s]") + rng.integers(0, days * 86_400, tk).astype("timedelta64[s]"))
    first_response = opened + rng.exponential(3 * 3600, tk).astype("timedelta64[s]")
    resolved = first_response + rng.exponential(10 * 3600, tk).astype("timedelta64[s]")
    # Stay within the months (in the tenant's timezone too: a day's margin).
    late = resolved >= (shape.end - np.timedelta64(1, "D")).astype("datetime64[s]")
    first_response[late] = resolved[late] = opened[late]
    tickets = pd.DataFrame({
        "id": np.arange(1, tk + 1), "ticket_id": np.char.add("T", np.arange(1, tk + 1).astype(str)),
        "customer_id": customer_ids[rng.integers(0, n, tk)],
        "opened_at": pd.to_datetime(opened).tz_localize("UTC"),
        "first_response_at": pd.to_datetime(np.where(rng.random(tk) < 0.9, first_response, np.datetime64("NaT"))).tz_localize("UTC"),
        "resolved_at": pd.to_datetime(np.where(rng.random(tk) < 0.8, resolved, np.datetime64("NaT"))).tz_localize("UTC"),
        "channel": rng.choice(["email", "chat", "phone"], tk), "priority": "normal"})

    r = 40_000
    kinds = np.where(rng.random(r) < 0.75, "nps", "csat")
    scores = np.where(kinds == "nps", rng.integers(0, 11, r), rng.integers(1, 6, r))
    answered = start.astype("datetime64[s]") + rng.integers(0, days * 86_400, r).astype("timedelta64[s]")
    survey_responses = pd.DataFrame({
        "id": np.arange(1, r + 1), "response_id": np.char.add("R", np.arange(1, r + 1).astype(str)),
        "survey_type": kinds, "score": scores, "responded_at": pd.to_datetime(answered).tz_localize("UTC"),
        "email": "", "customer_id": "", "comment": ""})

    values = []
    for slug, every, low, high in (("cash_balance", 30, 1e5, 2e6), ("active_users", 7, 1e3, 5e4),
                                   ("inventory_value", 7, 1e4, 9e4), ("support_backlog", 1, 0, 400)):
        day_list = all_days[::every]
        values.append(pd.DataFrame({"metric": slug, "date": day_list,
                                    "value": money(rng.uniform(low, high, len(day_list)))}))
    metric_values = pd.concat(values, ignore_index=True)
    metric_values.insert(0, "id", np.arange(1, len(metric_values) + 1))
    custom_metrics = pd.DataFrame({"id": [1], "slug": ["support_backlog"], "name": ["Support backlog"],
                                   "unit": ["count"], "aggregation": ["avg"], "direction": ["down"]})

    month_starts = pd.date_range(shape.first, periods=shape.months, freq="MS")
    eur = month_starts[np.arange(shape.months) % 5 != 3]  # gaps: those months carry the rate forward
    gbp = month_starts[6:]  # none for the first half year: a back-filled first rate
    fx_rates = pd.DataFrame({
        "currency": ["EUR"] * len(eur) + ["GBP"] * len(gbp),
        "month": np.concatenate([eur.values, gbp.values]).astype("datetime64[D]"),
        "rate": np.round(np.concatenate([1.08 + 0.03 * np.sin(np.arange(len(eur)) / 4),
                                         1.26 + 0.02 * np.cos(np.arange(len(gbp)) / 3)]), 4)})
    fx_rates.insert(0, "id", np.arange(1, len(fx_rates) + 1))
    return {"metrics_customer": customers, "metrics_subscription": subscriptions,
            "metrics_invoice": invoices, "metrics_expense": expenses, "metrics_traffic": traffic,
            "metrics_lead": leads, "metrics_ticket": tickets, "metrics_survey_response": survey_responses,
            "metrics_metricvalue": metric_values, "metrics_custommetric": custom_metrics,
            "metrics_fxrate": fx_rates}


def load(cursor, tables: dict[str, pd.DataFrame]) -> None:
    """COPY every frame into the table of its name (psycopg 3 cursor, tenant schema)."""
    for table, frame in tables.items():
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        buffer.seek(0)
        columns = ", ".join(f'"{column}"' for column in frame.columns)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cursor.execute(f"ANALYZE {table}")


def into_new_company(shape: Shape) -> tuple[dict[str, pd.DataFrame], float, float]:
    """The platform migrated, a company signed up (the connection left on it) and the data
    set generated and loaded into it: the tables, the seconds generating and loading took."""
    import time

    from django.core.management import call_command
    from django.db import connection

    from tenants.signup import sign_up

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("setup_platform", verbosity=0)
    tenant = sign_up(company_name="Bench Co", slug="bench", email="owner@bench.example",
                     password="bench-password-2026", currency=shape.currency, timezone=shape.timezone).tenant
    connection.set_tenant(tenant)
    started = time.perf_counter()
    tables = generate(shape)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        load(cursor.cursor, tables)
    return tables, generated, time.perf_counter() - started - generated


def sizes(tables: dict[str, pd.DataFrame]) -> str:
    return ", ".join(f"{name.removeprefix('metrics_')} {len(frame):,}" for name, frame in tables.items())
