"""The same per-month figures as the engine's SQL families, written independently with
pandas and numpy (vectorised: no Python loop over records), from the same frames.

An independent implementation on purpose: where it and the engine agree on every value,
both read the catalog the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from metrics.months import add_months, month_range

FACTOR12 = {"week": 52, "month": 12, "quarter": 4, "year": 1}


def month_index(values) -> np.ndarray:
    stamps = pd.DatetimeIndex(values)
    return (stamps.year * 12 + stamps.month - 1).to_numpy(dtype="float64")


class Months:
    def __init__(self, first: date, last: date):
        self.dates = month_range(first, last)
        self.first_mi = first.year * 12 + first.month - 1
        self.count = len(self.dates)
        self.last_mi = self.first_mi + self.count - 1

    def position(self, mi: np.ndarray) -> np.ndarray:
        return (mi - self.first_mi).astype(int)

    def inside(self, mi: np.ndarray) -> np.ndarray:
        return (mi >= self.first_mi) & (mi <= self.last_mi)


def rate_table(fx: pd.DataFrame, months: Months, currency: str) -> dict[str, np.ndarray]:
    """Each currency's rate per month: the latest at or before it, else the first."""
    table = {"": np.ones(months.count), currency: np.ones(months.count)}
    for code, rows in fx[~fx["currency"].isin(["", currency])].groupby("currency"):
        rows = rows.sort_values("month")
        mi = month_index(rows["month"])
        month_mi = np.arange(months.first_mi, months.last_mi + 1)
        at = np.searchsorted(mi, month_mi, side="right") - 1
        table[code] = rows["rate"].to_numpy(dtype=float)[np.maximum(at, 0)]
    return table


def rates_for(table: dict[str, np.ndarray], currencies: pd.Series, positions: np.ndarray) -> np.ndarray:
    """The rate of each row's currency at each row's month position (NaN: no rate)."""
    codes, uniques = pd.factorize(currencies)
    matrix = np.vstack([table.get(code, np.full(len(next(iter(table.values()))), np.nan)) for code in uniques]
                       or [np.full(1, np.nan)])
    return matrix[codes, positions]


def per_month(months: Months, mi: np.ndarray, weights=None) -> np.ndarray:
    keep = months.inside(mi)
    return np.bincount(months.position(mi[keep]), weights=None if weights is None else weights[keep],
                       minlength=months.count)


def subscriptions(tables: dict[str, pd.DataFrame], months: Months, rates: dict) -> dict[str, np.ndarray]:
    subs = tables["metrics_subscription"]
    native12 = subs["amount"].to_numpy(float) * subs["quantity"].to_numpy(float) \
        * subs["interval"].map(FACTOR12).to_numpy(float)
    start_mi = month_index(subs["start_date"])
    end_mi = month_index(subs["end_date"])  # NaN: no end
    known = subs["currency"].isin(list(rates)).to_numpy()
    customer = pd.factorize(subs["customer_id"])[0]

    paying = (subs["amount"].to_numpy(float) > 0) & known
    low = np.maximum(start_mi, months.first_mi)
    high = np.minimum(np.where(np.isnan(end_mi), months.last_mi, end_mi - 1), months.last_mi)
    count = np.where(paying, np.maximum(high - low + 1, 0), 0).astype(int)
    row = np.repeat(np.arange(len(subs)), count)
    step = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    mi = low[row] + step
    value = native12[row] * rates_for(rates, subs["currency"].iloc[row].reset_index(drop=True),
                                      months.position(mi))
    key = customer[row].astype(np.int64) * months.count + months.position(mi)
    grouped = pd.Series(value).groupby(key).sum()
    keys = grouped.index.to_numpy()
    cmrr = grouped.to_numpy()
    who, position = keys // months.count, keys % months.count
    same_before = np.r_[False, who[1:] == who[:-1]]
    same_after = np.r_[who[1:] == who[:-1], False]
    prev_pos = np.r_[-1, position[:-1]]
    next_pos = np.r_[position[1:], -1]
    prev_cmrr = np.r_[0.0, cmrr[:-1]]
    new = ~same_before
    reactivated = same_before & (prev_pos < position - 1)
    continuing = same_before & (prev_pos == position - 1)
    expanded = continuing & (cmrr > prev_cmrr)
    contracted = continuing & (cmrr < prev_cmrr)
    leaves = (~same_after | (next_pos > position + 1)) & (position + 1 < months.count)

    def bins(mask, weights=None, shift=0):
        return np.bincount(position[mask] + shift, weights=None if weights is None else weights[mask],
                           minlength=months.count)[:months.count]

    start_rate = np.full(len(subs), np.nan)
    in_range = months.inside(start_mi) & known
    start_rate[in_range] = rates_for(rates, subs["currency"][in_range].reset_index(drop=True),
                                     months.position(start_mi[in_range]))
    scheduled = np.zeros(months.count)
    ending = np.zeros(months.count)
    has_end = ~np.isnan(end_mi) & paying
    for index in range(months.count):
        month_mi = months.first_mi + index
        later = (start_mi > month_mi) & known
        rate_now = rates_for(rates, subs["currency"][later].reset_index(drop=True),
                             np.full(later.sum(), index))
        scheduled[index] = np.sum(native12[later] * rate_now)
        active = has_end & (start_mi <= month_mi) & (end_mi > month_mi)
        rate_now = rates_for(rates, subs["currency"][active].reset_index(drop=True),
                             np.full(active.sum(), index))
        ending[index] = np.sum(native12[active] * rate_now)
    return {
        "mrr12": bins(np.ones_like(new), cmrr), "paying_customers": bins(np.ones_like(new)),
        "new12": bins(new, cmrr), "new_subscription_customers": bins(new),
        "reactivation12": bins(reactivated, cmrr), "reactivated_count": bins(reactivated),
        "expansion12": bins(expanded, cmrr - prev_cmrr), "expanded_customers": bins(expanded),
        "contraction12": bins(contracted, prev_cmrr - cmrr), "contracted_customers": bins(contracted),
        "churned12": bins(leaves, cmrr, shift=1), "churned_count": bins(leaves, shift=1),
        "subscriptions_started": per_month(months, start_mi[in_range]),
        "started12": per_month(months, start_mi[in_range], native12[in_range] * start_rate[in_range]),
        "scheduled12": scheduled, "ending12": ending,
        "unconverted_rows": np.full(months.count, int((~known).sum())),
    }


def money_by_month(frame: pd.DataFrame, column: str, months: Months, rates: dict,
                   mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows in the months and a known currency: (month position, converted amount)."""
    mi = month_index(frame[column])
    keep = mask & months.inside(mi) & frame["currency"].isin(list(rates)).to_numpy()
    position = months.position(mi[keep])
    rate = rates_for(rates, frame["currency"][keep].reset_index(drop=True), position)
    return position, frame["amount"].to_numpy(float)[keep] * rate


def invoices(tables, months: Months, rates) -> dict[str, np.ndarray]:
    frame = tables["metrics_invoice"]
    paid = (frame["status"] == "paid").to_numpy()
    positive = frame["amount"].to_numpy(float) > 0
    position, amount = money_by_month(frame, "date", months, rates, paid)
    order_position, order_amount = money_by_month(frame, "date", months, rates, paid & positive)
    inside = months.inside(month_index(frame["date"]))
    unknown = int((paid & inside & ~frame["currency"].isin(list(rates)).to_numpy()).sum())
    return {"invoice_revenue": np.bincount(position, amount, months.count),
            "paid_orders": np.bincount(order_position, minlength=months.count),
            "order_amount": np.bincount(order_position, order_amount, months.count),
            "unconverted_rows": np.full(months.count, unknown)}


def expenses(tables, months: Months, rates) -> dict[str, np.ndarray]:
    frame = tables["metrics_expense"]
    result = {}
    for name, categories in (("marketing_expenses", ["marketing"]), ("sales_expenses", ["sales"]),
                             ("cogs_expenses", ["cogs"]), ("all_expenses", None)):
        mask = np.ones(len(frame), bool) if categories is None else frame["category"].isin(categories).to_numpy()
        position, amount = money_by_month(frame, "date", months, rates, mask)
        result[name] = np.bincount(position, amount, months.count)
    inside = months.inside(month_index(frame["date"]))
    result["unconverted_rows"] = np.full(
        months.count, int((inside & ~frame["currency"].isin(list(rates)).to_numpy()).sum()))
    return result


def traffic(tables, months: Months) -> dict[str, np.ndarray]:
    frame = tables["metrics_traffic"]
    mi = month_index(frame["date"])
    visits = frame["visits"].to_numpy(float)

    def given(column):
        return frame[column].notna().to_numpy()

    def total(column):
        return per_month(months, mi, frame[column].fillna(0).to_numpy(float))

    return {"traffic_rows": per_month(months, mi), "visits_total": per_month(months, mi, visits),
            "unique_visitors_total": total("unique_visitors"),
            "rows_with_unique_visitors": per_month(months, mi[given("unique_visitors")]),
            "pageviews_total": total("pageviews"), "rows_with_pageviews": per_month(months, mi[given("pageviews")]),
            "bounces": total("bounces"), "rows_with_bounces": per_month(months, mi[given("bounces")]),
            "visits_with_bounces": per_month(months, mi[given("bounces")], visits[given("bounces")]),
            "conversions_total": total("conversions"),
            "rows_with_conversions": per_month(months, mi[given("conversions")]),
            "visits_with_conversions": per_month(months, mi[given("conversions")], visits[given("conversions")])}


def leads(tables, months: Months) -> dict[str, np.ndarray]:
    frame = tables["metrics_lead"]
    mi = month_index(frame["created_date"])
    return {"leads_created": per_month(months, mi),
            "leads_qualified": per_month(months, mi[frame["qualified"].to_numpy(bool)]),
            "leads_converted": per_month(months, mi[frame["converted_date"].notna().to_numpy()])}


def local_mi(series: pd.Series, timezone: str) -> np.ndarray:
    local = series.dt.tz_convert(timezone)
    return (local.dt.year * 12 + local.dt.month - 1).to_numpy(dtype="float64", na_value=np.nan)


def tickets(tables, months: Months, timezone: str) -> dict[str, np.ndarray]:
    frame = tables["metrics_ticket"]
    opened, answered, resolved = (local_mi(frame[column], timezone)
                                  for column in ("opened_at", "first_response_at", "resolved_at"))
    response = (frame["first_response_at"] - frame["opened_at"]).dt.total_seconds().to_numpy()
    resolution = (frame["resolved_at"] - frame["opened_at"]).dt.total_seconds().to_numpy()
    has_answer, has_resolution = ~np.isnan(answered), ~np.isnan(resolved)
    return {"opened_tickets": per_month(months, opened),
            "answered_tickets": per_month(months, answered[has_answer]),
            "first_response_seconds": per_month(months, answered[has_answer], response[has_answer]),
            "resolved_tickets": per_month(months, resolved[has_resolution]),
            "resolution_seconds": per_month(months, resolved[has_resolution], resolution[has_resolution])}


def surveys(tables, months: Months, timezone: str) -> dict[str, np.ndarray]:
    frame = tables["metrics_survey_response"]
    mi = local_mi(frame["responded_at"], timezone)
    score = frame["score"].to_numpy()
    nps, csat = (frame["survey_type"] == "nps").to_numpy(), (frame["survey_type"] == "csat").to_numpy()
    return {"promoters": per_month(months, mi[nps & (score >= 9)]),
            "passives": per_month(months, mi[nps & (score >= 7) & (score <= 8)]),
            "detractors": per_month(months, mi[nps & (score <= 6)]),
            "satisfied": per_month(months, mi[csat & (score >= 4)]),
            "csat_answers": per_month(months, mi[csat]),
            "invitations_sent": np.zeros(months.count, int), "invitations_answered": np.zeros(months.count, int)}


def metric_values(tables, months: Months) -> list[dict[str, Any]]:
    frame = tables["metrics_metricvalue"].sort_values(["metric", "date"])
    frame = frame.assign(mi=month_index(frame["date"]))
    frame = frame[months.inside(frame["mi"].to_numpy())]
    grouped = frame.groupby(["metric", "mi"])["value"]
    summary = pd.DataFrame({"last_value": grouped.last(), "total": grouped.sum(), "n": grouped.count()})
    return [{"metric": metric, "month": months.dates[int(mi) - months.first_mi],
             "last_value": row.last_value, "total": row.total, "n": int(row.n)}
            for (metric, mi), row in summary.iterrows()]


# The engine's movements family (movements.sql); the rest of subscriptions() is its
# subscriptions family.
MOVEMENT_COLUMNS = ("paying_customers", "new12", "new_subscription_customers", "reactivation12",
                    "reactivated_count", "expansion12", "expanded_customers", "contraction12",
                    "contracted_customers", "churned12", "churned_count")


def figures(tables: dict[str, pd.DataFrame], *, first: date, last: date, currency: str, timezone: str):
    months = Months(first, last)
    rates = rate_table(tables["metrics_fxrate"], months, currency)
    subscription_columns = subscriptions(tables, months, rates)
    movements = {name: subscription_columns.pop(name) for name in MOVEMENT_COLUMNS}
    columns = {"movements": movements, "subscriptions": subscription_columns,
               "invoices": invoices(tables, months, rates),
               "expenses": expenses(tables, months, rates), "traffic": traffic(tables, months),
               "leads": leads(tables, months), "tickets": tickets(tables, months, timezone),
               "surveys": surveys(tables, months, timezone)}
    family_rows = {family: [{"month": month, **{name: _plain(values[index]) for name, values in data.items()}}
                            for index, month in enumerate(months.dates)]
                   for family, data in columns.items()}
    present = {table for table in ("metrics_subscription", "metrics_invoice", "metrics_expense",
                                   "metrics_traffic", "metrics_lead", "metrics_ticket") if len(tables[table])}
    return family_rows, present, {}, metric_values(tables, months)


def _plain(value):
    """Counts as int, money as float (what the SQL engines return)."""
    value = value.item() if hasattr(value, "item") else value
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value
