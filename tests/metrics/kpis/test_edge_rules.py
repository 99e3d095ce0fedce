"""The catalog's edge rules: exclusive end dates, new vs reactivation, fx per month with
carry-forward, refunds and void/open invoices, optional traffic columns, timezones,
nulls with reasons, the month range, and reruns."""

from datetime import date, datetime, timezone as tz
from decimal import Decimal

from metrics.models import KpiValue
from tests.metrics.kpis.builders import (NOW, customer, customers, fx_rate, invoice, metric, recompute,
                                 stored, subscription, survey_answers, ticket, traffic, value)

JAN, FEB, MAR, APR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)


def test_end_date_is_the_first_day_no_longer_active(in_acme):
    ends_on_first = customer()
    subscription(ends_on_first, date(2025, 1, 10), date(2025, 3, 1))  # active on 28 Feb
    ends_mid_month = customer()
    subscription(ends_mid_month, date(2025, 1, 10), date(2025, 3, 31))  # not on 31 Mar
    recompute()
    assert value("customers", FEB) == 2
    assert value("churned_customers", MAR) == 2
    assert value("customers", MAR) == 0


def test_a_subscription_ending_within_its_start_month_never_counts(in_acme):
    subscription(customer(), date(2025, 1, 3), date(2025, 1, 20))
    recompute()
    assert value("customers", JAN) == 0
    assert value("new_customers", JAN) == 0


def test_a_returning_customer_is_reactivation_not_new(in_acme):
    person = customer()
    subscription(person, date(2025, 1, 5), date(2025, 2, 10), amount="40")
    subscription(person, date(2025, 3, 5), amount="60")
    recompute()
    assert (value("new_mrr", JAN), value("churned_mrr", FEB)) == (Decimal("40"), Decimal("40"))
    assert value("new_mrr", MAR) == 0
    assert value("reactivation_mrr", MAR) == Decimal("60")
    assert value("reactivated_customers", MAR) == 1
    assert value("new_customers", MAR) == 0


def test_plan_change_is_expansion_and_downgrade_contraction(in_acme):
    person = customer()
    subscription(person, date(2025, 1, 5), date(2025, 2, 10), amount="40")
    subscription(person, date(2025, 2, 10), date(2025, 3, 10), amount="100")
    subscription(person, date(2025, 3, 10), amount="70")
    recompute()
    assert value("expansion_mrr", FEB) == Decimal("60")
    assert value("contraction_mrr", MAR) == Decimal("30")
    assert value("churned_customers", FEB) == value("new_customers", FEB) == 0


def test_intervals_and_quantity_make_monthly_amounts(in_acme):
    person = customer()
    subscription(person, date(2025, 1, 2), amount="120", interval="year")      # 10
    subscription(person, date(2025, 1, 2), amount="30", interval="quarter")    # 10
    subscription(person, date(2025, 1, 2), amount="3", interval="week", quantity=2)  # 26
    recompute()
    assert value("mrr", JAN) == Decimal("46")
    assert value("arr", JAN) == Decimal("552")
    assert value("acv", JAN) == Decimal("552") / 3


def test_fx_rate_of_the_month_measured_carried_forward_after_the_last_rate(in_acme):
    subscription(customer(), date(2025, 1, 5), amount="100", currency="EUR")
    fx_rate("EUR", JAN, "1.1")
    fx_rate("EUR", FEB, "1.2")
    invoice(date(2025, 4, 2), "10", currency="EUR")
    recompute()
    assert value("mrr", JAN) == Decimal("110")
    assert value("mrr", FEB) == Decimal("120")
    assert value("mrr", APR) == Decimal("120")  # after the latest rate: that rate
    assert value("expansion_mrr", FEB) == Decimal("10")  # the rate moved, not the price
    assert value("revenue", APR) == Decimal("12")


def test_rates_moving_apart_move_a_customer_paying_in_two_currencies_by_the_net(in_acme):
    # Two foreign currencies at once: EUR up and GBP down make an expansion of the net,
    # then a contraction; the customer churns at the last month's rates and comes back.
    both, euro_only = customer(), customer()
    subscription(both, date(2025, 1, 5), date(2025, 4, 10), amount="100", currency="EUR")
    subscription(both, date(2025, 1, 20), date(2025, 4, 2), amount="50", currency="GBP")
    subscription(both, date(2025, 5, 3), amount="10", currency="EUR")
    subscription(euro_only, date(2025, 1, 8), amount="100", currency="EUR")
    for month, eur, gbp in ((JAN, "1.1", "1.3"), (FEB, "1.2", "1.2"), (MAR, "1.0", "1.4")):
        fx_rate("EUR", month, eur)
        fx_rate("GBP", month, gbp)
    recompute()
    may = date(2025, 5, 1)
    # both: 175, 180, 170, 0, 10; euro_only: 110, 120, 100, 100, 100 (April, May: March's rate)
    assert [value("mrr", m) for m in (JAN, FEB, MAR, APR, may)] == [
        Decimal("285"), Decimal("300"), Decimal("270"), Decimal("100"), Decimal("110")]
    assert value("new_mrr", JAN) == Decimal("285")
    assert value("expansion_mrr", FEB) == Decimal("15")  # both +5 (EUR +10, GBP -5), euro_only +10
    assert stored("expansion_mrr", FEB).inputs["expanded_customers"] == 2
    assert value("contraction_mrr", MAR) == Decimal("30")  # both -10, euro_only -20
    assert stored("contraction_mrr", MAR).inputs["contracted_customers"] == 2
    assert value("churned_mrr", APR) == Decimal("170")  # at March's rates
    assert value("churned_customers", APR) == 1
    assert value("expansion_mrr", APR) == 0 and value("contraction_mrr", APR) == 0
    assert value("reactivation_mrr", may) == Decimal("10")
    assert value("reactivated_customers", may) == 1
    assert value("customers", may) == 2


def test_tenant_currency_and_empty_currency_are_rate_1(in_acme):
    subscription(customer(), date(2025, 1, 5), amount="100", currency="USD")
    subscription(customer(), date(2025, 1, 5), amount="50", currency="")
    recompute()
    assert value("mrr", JAN) == Decimal("150")


def test_a_currency_without_any_rate_is_left_out_with_a_warning(in_acme):
    subscription(customer(), date(2025, 1, 5), amount="100", currency="GBP")
    subscription(customer(), date(2025, 1, 5), amount="50")
    summary = recompute()
    assert value("mrr", JAN) == Decimal("50")
    assert summary.warnings == ["1 subscriptions are in a currency without any exchange rate and are left out"]


def test_refunds_reduce_revenue_void_and_open_invoices_do_not_count(in_acme):
    invoice(date(2025, 3, 3), "100")
    invoice(date(2025, 3, 4), "-30")
    invoice(date(2025, 3, 5), "500", status="void")
    invoice(date(2025, 3, 6), "700", status="open")
    recompute()
    assert value("revenue", MAR) == Decimal("70")
    assert value("orders", MAR) == 1
    assert value("aov", MAR) == Decimal("100")


def test_rates_only_use_the_rows_that_give_bounces_or_conversions(in_acme):
    traffic(date(2025, 3, 1), 100, bounces=40, conversions=5)
    traffic(date(2025, 3, 2), 300)  # gives neither
    recompute()
    assert value("visits", MAR) == 400
    assert value("bounce_rate", MAR) == Decimal("40")
    assert value("visitor_conversion_rate", MAR) == Decimal("5")
    unique = stored("unique_visitors", MAR)
    assert (unique.value, unique.reason) == (None, "no traffic rows of the month give unique_visitors")


def test_datetimes_count_in_the_tenants_timezone(in_acme):
    # 23:30 UTC on 31 January is already February in Bucharest (UTC+2).
    late = datetime(2025, 1, 31, 23, 30, tzinfo=tz.utc)
    ticket(late)
    survey_answers("nps", [10], late)
    recompute(timezone="Europe/Bucharest")
    assert value("tickets_opened", FEB) == 1
    assert not KpiValue.objects.filter(month=JAN).exists()  # February is the first month
    assert value("nps", FEB) == Decimal("100")
    recompute(timezone="UTC")
    assert value("tickets_opened", JAN) == 1


def test_a_division_by_zero_is_null_with_a_reason(in_acme):
    subscription(customer(), date(2025, 2, 5))
    recompute()
    churn = stored("customer_churn_rate", FEB)
    assert (churn.value, churn.reason) == (None, "no customers at the start of the month")
    growth = stored("mrr_growth_rate", FEB)
    assert (growth.value, growth.reason) == (None, "no MRR at the end of the previous month")
    assert stored("survey_response_rate", FEB).reason == "no survey invitations sent in this month"


def test_missing_data_kinds_are_null_with_a_reason_never_0(in_acme):
    invoice(date(2025, 3, 3), "100")
    recompute()
    assert stored("mrr", MAR).reason == "no subscriptions imported"
    assert stored("total_expenses", MAR).reason == "no expenses imported"
    assert stored("cash", MAR).reason == "no cash_balance value dated in the month"


def test_without_subscriptions_new_customers_are_first_paid_invoices(in_acme):
    first, second = customers(2)
    invoice(date(2025, 2, 3), "50", customer=first)
    invoice(date(2025, 3, 3), "50", customer=first)
    invoice(date(2025, 3, 9), "-50", customer=second)  # a refund is not a first payment
    invoice(date(2025, 3, 10), "80", customer=second)
    recompute()
    assert value("new_customers", FEB) == 1
    assert value("new_customers", MAR) == 1


def test_runway_only_while_burning_and_cash_is_the_last_value(in_acme):
    invoice(date(2025, 3, 3), "1000")
    from tests.metrics.kpis.builders import expense
    expense(date(2025, 3, 20), "operating", "3000")
    metric("cash_balance", date(2025, 3, 1), "90000")
    metric("cash_balance", date(2025, 3, 31), "40000")
    invoice(date(2025, 4, 3), "5000")
    expense(date(2025, 4, 20), "operating", "3000")
    recompute()
    assert value("cash", MAR) == Decimal("40000")
    assert value("runway_months", MAR) == Decimal("20")
    assert stored("runway_months", APR).reason == "not burning cash: expenses do not exceed revenue"


def test_custom_metrics_join_with_their_aggregation(in_acme):
    from metrics.models import CustomMetric

    CustomMetric.objects.create(slug="backlog", aggregation="avg", direction="down", unit="count")
    metric("backlog", date(2025, 3, 1), "10")
    metric("backlog", date(2025, 3, 15), "20")
    metric("signups_offline", date(2025, 3, 1), "7")
    metric("signups_offline", date(2025, 3, 9), "3")
    recompute()
    assert value("backlog", MAR) == Decimal("15")
    assert value("signups_offline", MAR) == Decimal("3")  # no settings: the last value


def test_months_run_from_the_first_with_data_to_the_later_of_now_and_the_last_record(in_acme):
    subscription(customer(), date(2025, 2, 5))
    subscription(customer(), date(2025, 9, 1))  # starts after "now" (June 2025)
    recompute()
    months = sorted(set(KpiValue.objects.values_list("month", flat=True)))
    assert months[0] == FEB and months[-1] == date(2025, 9, 1) and len(months) == 8
    assert value("committed_mrr", MAR) == Decimal("200")


def test_recompute_twice_gives_the_same_values_and_drops_stale_months(in_acme):
    subscription(customer(), date(2025, 1, 5), amount="33.33", interval="quarter")
    recompute()
    first = {(v.kpi, v.month): (v.value, v.inputs, v.reason) for v in KpiValue.objects.all()}
    recompute()
    assert {(v.kpi, v.month): (v.value, v.inputs, v.reason) for v in KpiValue.objects.all()} == first
    recompute(now=NOW.replace(year=2025, month=3))
    assert not KpiValue.objects.filter(month__gt=MAR).exists()


def test_a_recompute_writes_only_the_values_that_changed(in_acme):
    """Past months' values rarely change: rewriting them would cost a row version each."""
    people = customers(2)
    subscription(people[0], date(2025, 1, 1))
    recompute()
    versions = dict(KpiValue.objects.extra(select={"version": "xmin::text"}).values_list("id", "version"))
    at = dict(KpiValue.objects.values_list("id", "computed_at"))

    recompute()
    assert dict(KpiValue.objects.extra(select={"version": "xmin::text"}).values_list("id", "version")) == versions
    assert dict(KpiValue.objects.values_list("id", "computed_at")) == at

    subscription(people[1], date(2025, 5, 1), amount="50")  # MRR changes from May on
    recompute()
    may, april = stored("mrr", date(2025, 5, 1)), stored("mrr", date(2025, 4, 1))
    assert may.value == 150 and may.computed_at > at[may.id]
    assert april.value == 100 and april.computed_at == at[april.id]
