"""Rows for KPI tests, inserted directly in the tenant's schema (bulk_create): the
engine reads tables, so the tests do not need the import pipeline."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from metrics.kpis.compute import recompute_kpis
from metrics.models import (Customer, Expense, FxRate, ImportedSurveyResponse, Invoice, KpiValue,
                            Lead, MetricValue, Subscription, Ticket, TrafficDay)

_ids = itertools.count(1)
# A fixed clock for the tests: "now" is in June 2025 unless a test says otherwise.
NOW = datetime(2025, 6, 15, 12, tzinfo=ZoneInfo("UTC"))


def next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


def customers(count: int, **fields) -> list[Customer]:
    return Customer.objects.bulk_create(
        [Customer(customer_id=next_id("c"), **fields) for _ in range(count)])


def customer(**fields) -> Customer:
    return customers(1, **fields)[0]


def subscription(customer: Customer, start: date, end: date | None = None, *, amount="100",
                 interval: str = "month", quantity: int = 1, currency: str = "", plan: str = "") -> Subscription:
    return Subscription.objects.create(
        subscription_id=next_id("s"), customer=customer, amount=Decimal(amount), interval=interval,
        quantity=quantity, currency=currency, start_date=start, end_date=end, plan=plan)


def subscriptions_for(people: list[Customer], start: date, end: date | None = None, *,
                      amount="100", **fields) -> list[Subscription]:
    return Subscription.objects.bulk_create([
        Subscription(subscription_id=next_id("s"), customer=person, amount=Decimal(amount),
                     start_date=start, end_date=end, **fields) for person in people])


def invoice(day: date, amount: str, *, status: str = "paid", currency: str = "",
            customer: Customer | None = None) -> Invoice:
    return Invoice.objects.create(invoice_id=next_id("i"), date=day, amount=Decimal(amount),
                                  status=status, currency=currency, customer=customer)


def expense(day: date, category: str, amount: str, *, channel: str = "", currency: str = "") -> Expense:
    return Expense.objects.create(expense_id=next_id("e"), date=day, category=category,
                                  amount=Decimal(amount), channel=channel, currency=currency)


def traffic(day: date, visits: int, *, channel: str = "all", **fields) -> TrafficDay:
    return TrafficDay.objects.create(date=day, channel=channel, visits=visits, **fields)


def leads(day: date, count: int, *, qualified: bool = False, converted: date | None = None,
          channel: str = "") -> list[Lead]:
    return Lead.objects.bulk_create([
        Lead(lead_id=next_id("l"), created_date=day, qualified=qualified, converted_date=converted,
             channel=channel) for _ in range(count)])


def ticket(opened: datetime, *, first_response: datetime | None = None,
           resolved: datetime | None = None, **fields) -> Ticket:
    return Ticket.objects.create(ticket_id=next_id("t"), opened_at=opened,
                                 first_response_at=first_response, resolved_at=resolved, **fields)


def survey_answers(kind: str, scores: list[int], at: datetime) -> list[ImportedSurveyResponse]:
    return ImportedSurveyResponse.objects.bulk_create([
        ImportedSurveyResponse(response_id=next_id("r"), survey_type=kind, score=score, responded_at=at)
        for score in scores])


def metric(slug: str, day: date, value: str) -> MetricValue:
    return MetricValue.objects.create(metric=slug, date=day, value=Decimal(value))


def fx_rate(currency: str, month: date, rate: str) -> FxRate:
    return FxRate.objects.create(currency=currency, month=month, rate=Decimal(rate))


def recompute(**options):
    options.setdefault("now", NOW)
    return recompute_kpis(**options)


def value(kpi: str, month: date) -> Decimal | None:
    return KpiValue.objects.get(kpi=kpi, month=month).value


def stored(kpi: str, month: date) -> KpiValue:
    return KpiValue.objects.get(kpi=kpi, month=month)
