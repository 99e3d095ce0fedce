"""/api/v1/kpis/...: what a member reads, what an admin starts, and what bad input gets."""

import time
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection

from jobs.models import Job
from metrics.goals.tasks import evaluate_goals
from metrics.kpis import tasks
from tests.metrics.kpis.builders import customers, expense, invoice, recompute, subscription, traffic


@pytest.fixture
def history(in_acme):
    """Three customers (segments a, a, b), one churning in March; invoices; traffic."""
    first, second, third = customers(2, segment="a", channel="paid") + customers(1, segment="b", channel="organic")
    subscription(first, date(2025, 1, 5), amount="100", plan="pro")
    subscription(second, date(2025, 1, 5), date(2025, 3, 10), amount="50", plan="basic")
    subscription(third, date(2025, 2, 5), amount="30", plan="basic")
    for day in range(1, 4):
        invoice(date(2025, 3, day), "10")
    traffic(date(2025, 3, 1), 100, channel="social", conversions=4)
    traffic(date(2025, 3, 2), 300, channel="email", conversions=3)
    expense(date(2025, 2, 28), "marketing", "600", channel="organic")
    recompute()
    connection.set_schema_to_public()
    return in_acme


def test_a_member_lists_every_kpi_of_a_month_with_previous_value_change_and_benchmark(history, acme_owner):
    response = acme_owner.get("/api/v1/kpis/?period=2025-03")
    assert response.status_code == 200
    items = {item["key"]: item for item in response.json()}
    assert items["mrr"] == {**items["mrr"], "value": 130, "previous_value": 180, "change": -50,
                            "unit": "money", "direction": "up", "reason": None}
    churn = items["customer_churn_rate"]
    assert churn["value"] == pytest.approx(100 / 3, abs=1e-9)
    assert churn["benchmark"]["band"].startswith("healthy < 5 %")
    assert "Software Ecommerce" in churn["benchmark"]["source"]
    assert items["cash"]["value"] is None and items["cash"]["reason"]


def test_the_default_period_is_the_latest_month_with_data(history, acme_owner):
    # The builders' clock is June 2025 but the API reads the real clock: data ends in
    # June 2025, which is then the latest month with data.
    response = acme_owner.get("/api/v1/kpis/mrr/")
    assert response.json()["period"] == "2025-06"


def test_one_kpi_with_the_figures_it_came_from(history, acme_owner):
    response = acme_owner.get("/api/v1/kpis/customer_churn_rate/?period=2025-03")
    assert response.json() == {"key": "customer_churn_rate", "period": "2025-03",
                               "value": pytest.approx(33.3333333333), "unit": "percent",
                               "inputs": {"customers_at_start": 3, "churned_customers": 1}, "reason": None}


def test_unknown_keys_404_and_bad_months_400(history, acme_owner):
    assert acme_owner.get("/api/v1/kpis/no_such_kpi/").status_code == 404
    for bad in ("2025-13", "March", "2025-3", "0000-01"):
        response = acme_owner.get(f"/api/v1/kpis/mrr/?period={bad}")
        assert response.status_code == 400
        assert "YYYY-MM" in str(response.json()) or "between" in str(response.json())
    assert acme_owner.get("/api/v1/kpis/mrr/series/?from=2025-05&to=2025-01").status_code == 400


def test_a_month_outside_the_data_says_so(history, acme_owner):
    body = acme_owner.get("/api/v1/kpis/mrr/?period=2019-01").json()
    assert body["value"] is None and "outside the months with data (2025-01 to 2025-06)" in body["reason"]


def test_series(history, acme_owner):
    body = acme_owner.get("/api/v1/kpis/customers/series/?from=2024-12&to=2025-03").json()
    assert body["points"] == [{"period": "2024-12", "value": None}, {"period": "2025-01", "value": 2},
                              {"period": "2025-02", "value": 3}, {"period": "2025-03", "value": 2}]


def test_breakdowns_by_segment_plan_and_channel(history, acme_owner):
    by_segment = acme_owner.get("/api/v1/kpis/mrr/breakdown/?period=2025-03&by=segment").json()
    assert by_segment["rows"] == [{"group": "a", "value": 100}, {"group": "b", "value": 30}]
    churn = acme_owner.get("/api/v1/kpis/customer_churn_rate/breakdown/?period=2025-03&by=plan").json()
    assert churn["rows"] == [{"group": "basic", "value": 50}, {"group": "pro", "value": 0}]
    conversion = acme_owner.get("/api/v1/kpis/visitor_conversion_rate/breakdown/?period=2025-03&by=channel").json()
    assert conversion["rows"] == [{"group": "email", "value": 1}, {"group": "social", "value": 4}]
    cac = acme_owner.get("/api/v1/kpis/cac/breakdown/?period=2025-02&by=channel").json()
    assert cac["rows"] == [{"group": "organic", "value": 600}]
    assert acme_owner.get("/api/v1/kpis/mrr/breakdown/?by=colour").status_code == 400
    assert acme_owner.get("/api/v1/kpis/revenue/breakdown/").status_code == 400


def test_records_behind_a_value(history, acme_owner):
    churned = acme_owner.get("/api/v1/kpis/churned_customers/records/?period=2025-03&movement=churn").json()
    assert churned["count"] == 1
    assert churned["results"][0]["movement"] == "churn"
    assert float(churned["results"][0]["previous_mrr"]) == 50
    invoices = acme_owner.get("/api/v1/kpis/revenue/records/?period=2025-03&page_size=2").json()
    assert invoices["count"] == 3 and len(invoices["results"]) == 2 and invoices["next"]
    visits = acme_owner.get("/api/v1/kpis/visits/records/?period=2025-03").json()
    assert [row["channel"] for row in visits["results"]] == ["social", "email"]
    assert acme_owner.get("/api/v1/kpis/mrr/records/?movement=paid").status_code == 400


def test_recompute_on_demand_records_a_job_and_a_second_request_joins_it(history, acme_owner, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.recompute_kpis, "delay", lambda **kwargs: queued.append(kwargs))
    first = acme_owner.post("/api/v1/kpis/recompute/")
    second = acme_owner.post("/api/v1/kpis/recompute/")
    assert first.status_code == second.status_code == 202
    assert first.json()["job_id"] == second.json()["job_id"]


def test_anonymous_is_refused_and_another_tenant_sees_only_its_own_kpis(history, acme_client, globex_owner):
    assert acme_client.get("/api/v1/kpis/").status_code in (401, 403)
    assert globex_owner.get("/api/v1/kpis/").json() == []  # nothing computed there
    body = globex_owner.get("/api/v1/kpis/mrr/?period=2025-03").json()
    assert body["value"] is None and body["reason"] == "KPIs have not been computed yet"
    assert globex_owner.get("/api/v1/kpis/mrr/").status_code == 400  # no default month


def test_a_recompute_follows_a_running_one_instead_of_overlapping(in_acme, monkeypatch):
    followed = []
    monkeypatch.setattr(tasks.recompute_kpis, "apply_async", lambda **kwargs: followed.append(kwargs))
    job = Job.objects.create(kind=tasks.JOB_KIND)
    key = tasks.lock_key(connection.schema_name)
    cache.set(key, "someone else", 60)
    try:
        assert tasks.recompute_kpis.run(job_id=str(job.pk)) == {"followed": True}
        assert followed == [{"kwargs": {"job_id": str(job.pk), "following": True},
                             "countdown": tasks.FOLLOW_DELAY}]
    finally:
        cache.delete(key)
    monkeypatch.setattr(evaluate_goals, "delay", lambda: None)
    subscription(customers(1)[0], date(2025, 1, 5), amount="12.5")
    result = tasks.recompute_kpis.run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == result and result["values"] > 0
    assert cache.get(key) is None  # released


def test_many_requests_during_a_recompute_queue_one_follower(in_acme, monkeypatch):
    """Ten imports in a row: the first request without a job queues a follower, the
    others join it; the follower itself keeps following until the lock is free."""
    followed = []
    monkeypatch.setattr(tasks.recompute_kpis, "apply_async", lambda **kwargs: followed.append(kwargs))
    schema = connection.schema_name
    cache.set(tasks.lock_key(schema), "someone else", 60)
    try:
        results = [tasks.recompute_kpis.run() for _ in range(10)]
        assert results == [{"followed": True}] + [{"joined": True}] * 9
        assert tasks.recompute_kpis.run(following=True) == {"followed": True}  # still locked
        assert len(followed) == 2
    finally:
        cache.delete(tasks.lock_key(schema))
    monkeypatch.setattr(evaluate_goals, "delay", lambda: None)
    assert "values" in tasks.recompute_kpis.run(following=True)
    assert cache.get(tasks.follower_key(schema)) is None  # the next request queues anew


def test_a_follower_lost_with_its_message_stops_holding_back_recomputes(in_acme, monkeypatch):
    """The follower's mark expires soon unless the follower renews it: requests after a
    lost follower queue a new one instead of joining one that never comes."""
    followed = []
    monkeypatch.setattr(tasks.recompute_kpis, "apply_async", lambda **kwargs: followed.append(kwargs))
    monkeypatch.setattr(tasks, "FOLLOWER_SECONDS", 1)
    schema = connection.schema_name
    cache.set(tasks.lock_key(schema), "someone else", 60)
    try:
        assert tasks.recompute_kpis.run() == {"followed": True}
        assert tasks.recompute_kpis.run() == {"joined": True}
        time.sleep(1.5)  # its follower never ran
        assert tasks.recompute_kpis.run() == {"followed": True}
        assert tasks.recompute_kpis.run(following=True) == {"followed": True}  # a live one renews the mark
        assert tasks.recompute_kpis.run() == {"joined": True}
        assert len(followed) == 3
    finally:
        cache.delete(tasks.lock_key(schema))
        cache.delete(tasks.follower_key(schema))
