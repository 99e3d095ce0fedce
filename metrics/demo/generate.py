"""Two years of sample data for the demo company: a small B2B SaaS.

Deterministic (seeded), internally consistent, and shaped like a real business:
seasonal acquisition (slow summers, strong Januaries), three plans with upgrades and
downgrades, monthly and yearly billing, churn that falls as the product matures,
win-backs, marketing spend per channel that drives traffic, leads and sign-ups,
support tickets that follow the customer base, and survey answers.

The output is rows per data kind with exactly the columns of data-contract.md, so
the demo goes through the same import pipeline as any tenant's files.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from metrics.months import add_months, end_of

PLANS = {"starter": 29, "growth": 79, "scale": 199}
CHANNELS = {  # share of sign-ups, cost per sign-up in marketing spend
    "organic": (0.35, 0), "paid": (0.30, 180), "referral": (0.15, 40),
    "social": (0.12, 120), "email": (0.08, 60),
}
SEGMENTS = ["agency", "ecommerce", "consulting", "software"]
COUNTRIES = ["US", "GB", "DE", "PT", "RO", "FR", "CA", "NL"]
SEASON = [1.25, 1.1, 1.05, 1.0, 0.95, 0.8, 0.7, 0.75, 1.05, 1.1, 1.05, 0.9]  # Jan..Dec


@dataclass
class DemoData:
    rows: dict[str, list[dict]]
    first_month: date
    last_month: date


def generate(*, months: int = 24, end: date | None = None, seed: int = 7) -> DemoData:
    rng = random.Random(seed)
    today = end or date.today()
    last_month = add_months(today.replace(day=1), -1)  # the latest complete month
    first_month = add_months(last_month, -(months - 1))
    # Then this month up to yesterday, as a nightly export would bring it: the dashboard
    # opens on the month to date (issue 17) and has something to compare. Nothing falls
    # after yesterday (a churn or a plan change waits for its month's end).
    data_end = today - timedelta(days=1)
    partial = data_end >= today.replace(day=1)
    rows: dict[str, list[dict]] = {kind: [] for kind in (
        "customers", "subscriptions", "invoices", "expenses", "traffic", "leads",
        "tickets", "survey_responses", "metric_values", "fx_rates")}

    customer_seq = subscription_seq = invoice_seq = lead_seq = ticket_seq = 0
    active: list[dict] = []   # open subscriptions
    churned: list[dict] = []  # customers who left, candidates for a win-back
    cash = 450_000.0

    for index in range(months + partial):
        month = add_months(first_month, index)
        in_progress = index == months  # this month, up to data_end
        month_end = data_end if in_progress else end_of(month)
        days = (month_end - month).days + 1
        full_days = (end_of(month) - month).days + 1
        maturity = min(index / max(months - 1, 1), 1)
        season = SEASON[month.month - 1]
        signups = round((18 + 14 * maturity) * season * rng.uniform(0.85, 1.15) * days / full_days)

        # Fixed exchange rates, drifting a little month by month.
        rows["fx_rates"].append({"currency": "EUR", "month": month.strftime("%Y-%m"),
                                 "rate": f"{1.08 + 0.03 * math.sin(index / 4):.4f}"})

        # --- New customers and their first subscription ---------------------------------
        for _ in range(signups):
            customer_seq += 1
            channel = rng.choices(list(CHANNELS), weights=[w for w, _ in CHANNELS.values()])[0]
            signup = month + timedelta(days=rng.randrange(days))
            country = rng.choice(COUNTRIES)
            customer = {
                "customer_id": f"C{customer_seq:05d}", "name": f"{_company_name(rng)} {customer_seq}",
                "email": f"team{customer_seq}@customer{customer_seq}.example",
                "signup_date": signup.isoformat(), "channel": channel, "country": country,
                "segment": rng.choice(SEGMENTS),
            }
            rows["customers"].append(customer)
            subscription_seq += 1
            active.append(_subscription(rng, subscription_seq, customer, signup, country))

        # --- Win-backs ------------------------------------------------------------------
        for former in list(churned):
            if rng.random() < 0.02:
                churned.remove(former)
                subscription_seq += 1
                start = month + timedelta(days=rng.randrange(days))
                active.append(_subscription(rng, subscription_seq, former, start, former["country"]))

        # --- Churn and plan changes at this month's end ---------------------------------------
        churn_rate = 0.055 - 0.025 * maturity
        still_active = []
        for sub in active:
            start = date.fromisoformat(sub["start_date"])
            if start > month_end - timedelta(days=5) or in_progress:
                still_active.append(sub)
                continue
            roll = rng.random()
            ends = month_end + timedelta(days=1)
            if roll < churn_rate:
                sub["end_date"] = ends.isoformat()
                churned.append(sub["_customer"])
            elif roll < churn_rate + 0.03:  # a plan change: one ends, another starts
                sub["end_date"] = ends.isoformat()
                subscription_seq += 1
                plan = _neighbour_plan(rng, sub["plan"])
                new = dict(sub, subscription_id=f"S{subscription_seq:05d}", plan=plan,
                           amount=_price(plan, sub["interval"], sub["currency"]),
                           start_date=ends.isoformat(), end_date="")
                still_active.append(new)
                rows["subscriptions"].append(sub)
                continue
            else:
                still_active.append(sub)
                continue
            rows["subscriptions"].append(sub)
        active = still_active

        # --- Invoices for every subscription billed this month ---------------------------------
        revenue = 0.0
        for sub in _billable(rows["subscriptions"] + active, month, end_of(month)):
            if sub["_bill_day"] > month_end:
                continue  # billed later this month
            invoice_seq += 1
            amount = float(sub["amount"]) * int(sub["quantity"])
            status = "paid" if rng.random() > 0.03 else rng.choice(["open", "void"])
            rows["invoices"].append({
                "invoice_id": f"INV{invoice_seq:06d}", "customer_id": sub["customer_id"],
                "date": sub["_bill_day"].isoformat(), "amount": f"{amount:.2f}",
                "currency": sub["currency"], "status": status})
            if status == "paid":
                revenue += amount * (1.08 if sub["currency"] == "EUR" else 1.0)
        if rng.random() < 0.6:  # the odd refund
            invoice_seq += 1
            rows["invoices"].append({
                "invoice_id": f"INV{invoice_seq:06d}", "customer_id": rows["customers"][-1]["customer_id"],
                "date": (month + timedelta(days=rng.randrange(days))).isoformat(),
                "amount": f"{-rng.choice([29, 79]):.2f}", "currency": "", "status": "paid"})

        # --- Spend (booked at the month's end: none yet for this month) -------------------------
        expenses = 0.0
        for channel, (share, cost) in () if in_progress else CHANNELS.items():
            if cost:
                spend = round(signups * share * cost * rng.uniform(0.8, 1.2), 2)
                expenses += spend
                rows["expenses"].append({"expense_id": f"E{month:%Y%m}-{channel}", "date": month_end.isoformat(),
                                         "category": "marketing", "amount": f"{spend:.2f}",
                                         "currency": "", "channel": channel,
                                         "description": f"{channel} campaigns"})
        for category, base in () if in_progress else (
                ("sales", 9000), ("cogs", 0.22 * revenue + 1500), ("operating", 21000)):
            amount = round(base * rng.uniform(0.95, 1.05), 2)
            expenses += amount
            rows["expenses"].append({"expense_id": f"E{month:%Y%m}-{category}", "date": month_end.isoformat(),
                                     "category": category, "amount": f"{amount:.2f}", "currency": "",
                                     "channel": "", "description": f"{category} costs"})
        cash += revenue - expenses
        if not in_progress:  # measured at the month's end
            rows["metric_values"].append({"metric": "cash_balance", "date": month_end.isoformat(),
                                          "value": f"{cash:.2f}"})
            rows["metric_values"].append({"metric": "active_users", "date": month_end.isoformat(),
                                          "value": str(len(active) * rng.randint(3, 5))})

        # --- Traffic and leads --------------------------------------------------------------------
        for day_index in range(days):
            day = month + timedelta(days=day_index)
            weekday = 0.7 if day.weekday() >= 5 else 1.0
            for channel, (share, _) in CHANNELS.items():
                visits = max(1, round(1400 * share * season * weekday * (0.6 + maturity) * rng.uniform(0.85, 1.15)))
                bounces = round(visits * rng.uniform(0.35, 0.5))
                conversions = max(0, round(visits * rng.uniform(0.015, 0.035)))
                rows["traffic"].append({"date": day.isoformat(), "channel": channel, "visits": visits,
                                        "unique_visitors": round(visits * 0.8),
                                        "pageviews": round(visits * 2.6), "bounces": bounces,
                                        "conversions": conversions})
        for _ in range(round(signups * rng.uniform(6, 8))):
            lead_seq += 1
            created = month + timedelta(days=rng.randrange(days))
            converted_on = created + timedelta(days=rng.randint(2, 20))
            converted = rng.random() < 0.12 and converted_on <= data_end
            qualified = converted or rng.random() < 0.35
            rows["leads"].append({
                "lead_id": f"L{lead_seq:06d}", "created_date": created.isoformat(),
                "channel": rng.choice(list(CHANNELS)), "qualified": "true" if qualified else "false",
                "converted_date": converted_on.isoformat() if converted else "",
                "customer_id": ""})

        # --- Support and surveys -------------------------------------------------------------------
        speed = 1.6 - 0.8 * maturity  # the team gets faster
        for _ in range(round(len(active) * 0.35)):
            ticket_seq += 1
            opened = datetime.combine(month + timedelta(days=rng.randrange(days)), datetime.min.time()) \
                + timedelta(minutes=rng.randrange(8 * 60, 19 * 60))
            first = opened + timedelta(minutes=rng.expovariate(1 / (45 * speed)))
            resolved = first + timedelta(minutes=rng.expovariate(1 / (240 * speed)))
            customer = rng.choice(active)["customer_id"] if active else ""
            rows["tickets"].append({
                "ticket_id": f"T{ticket_seq:06d}", "customer_id": customer,
                "opened_at": opened.isoformat(timespec="minutes") + "Z",
                "first_response_at": first.isoformat(timespec="minutes") + "Z",
                "resolved_at": resolved.isoformat(timespec="minutes") + "Z" if resolved.date() <= month_end else "",
                "channel": rng.choice(["email", "chat", "phone"]),
                "priority": rng.choice(["low", "normal", "normal", "high"])})
            # A CSAT survey after some resolved tickets; faster teams get better scores.
            answered_at = resolved + timedelta(hours=rng.randint(1, 12))
            if customer and rng.random() < 0.3 and answered_at.date() <= month_end:
                satisfied = 0.55 + 0.3 * maturity
                rows["survey_responses"].append({
                    "response_id": f"CSAT-T{ticket_seq:06d}", "survey_type": "csat",
                    "score": rng.choices(range(1, 6), weights=[1, 2, 5, 20 * satisfied, 20 * satisfied])[0],
                    "responded_at": answered_at.isoformat(timespec="minutes") + "Z", "email": "",
                    "customer_id": customer, "comment": ""})
        for _ in range(round(len(active) * 0.08)):
            customer = rng.choice(active)
            when = datetime.combine(month + timedelta(days=rng.randrange(days)), datetime.min.time()) \
                + timedelta(hours=rng.randrange(8, 20))
            happy = 0.45 + 0.25 * maturity
            score = rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 10, 14, 30 * happy, 30 * happy])[0]
            rows["survey_responses"].append({
                "response_id": f"NPS-{month:%Y%m}-{customer['customer_id']}", "survey_type": "nps",
                "score": score, "responded_at": when.isoformat(timespec="minutes") + "Z",
                "email": "", "customer_id": customer["customer_id"],
                "comment": rng.choice(["", "", "Great reports", "Needs more integrations",
                                       "Support is quick", "Pricey for us"])})

    if not partial:  # plan changes at the last month's end start the month after: it needs a rate too
        following = add_months(last_month, 1)
        rows["fx_rates"].append({"currency": "EUR", "month": following.strftime("%Y-%m"),
                                 "rate": rows["fx_rates"][-1]["rate"]})
    rows["subscriptions"].extend(active)
    for sub in rows["subscriptions"]:
        for private in [key for key in sub if key.startswith("_")]:
            del sub[private]
    rows["subscriptions"].sort(key=lambda s: s["subscription_id"])
    return DemoData(rows=rows, first_month=first_month, last_month=last_month)


def _company_name(rng: random.Random) -> str:
    return rng.choice(["Northwind", "Bluebird", "Keystone", "Lumen", "Harbor", "Pinecrest", "Atlas", "Vela"])


def _price(plan: str, interval: str, currency: str) -> str:
    monthly = PLANS[plan] * (0.93 if currency == "EUR" else 1.0)
    return f"{monthly * 10 if interval == 'year' else monthly:.2f}"  # yearly: two months free


def _subscription(rng: random.Random, seq: int, customer: dict, start: date, country: str) -> dict:
    plan = rng.choices(list(PLANS), weights=[55, 35, 10])[0]
    interval = "year" if rng.random() < 0.2 else "month"
    currency = "EUR" if country in ("DE", "PT", "FR", "NL", "RO") and rng.random() < 0.5 else ""
    return {"subscription_id": f"S{seq:05d}", "customer_id": customer["customer_id"], "plan": plan,
            "amount": _price(plan, interval, currency), "currency": currency, "interval": interval,
            "quantity": rng.choice([1, 1, 1, 2, 3]), "start_date": start.isoformat(), "end_date": "",
            "_customer": customer}


def _neighbour_plan(rng: random.Random, plan: str) -> str:
    order = list(PLANS)
    position = order.index(plan)
    step = 1 if rng.random() < 0.7 else -1  # upgrades are more common than downgrades
    if not 0 <= position + step < len(order):
        step = -step  # the top plan can only go down, the bottom one only up
    return order[position + step]


def _billable(subscriptions: list[dict], month: date, month_end: date):
    """Subscriptions with a billing day in this month: monthly ones every month on their
    start day, yearly ones in their start month."""
    seen = set()
    for sub in subscriptions:
        if sub["subscription_id"] in seen:
            continue
        seen.add(sub["subscription_id"])
        start = date.fromisoformat(sub["start_date"])
        end = date.fromisoformat(sub["end_date"]) if sub["end_date"] else None
        if start > month_end:
            continue
        day = min(start.day, month_end.day)
        bill_day = month.replace(day=day)
        if bill_day < start or (end and bill_day >= end):
            continue
        if sub["interval"] == "year" and bill_day.month != start.month:
            continue
        sub["_bill_day"] = bill_day
        yield sub
