"""The dashboard's chart endpoints (django-chartjs views): Chart.js data from the
stored KPI values, units per axis, tenant-scoped, one query for the whole window."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.dashboard.charts import DASHBOARD_CHARTS


def chart(client, slug: str, query: str = "month=2025-03") -> dict:
    response = client.get(f"/charts/{slug}/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def by_label(data: dict) -> dict[str, list]:
    return {dataset["label"]: dataset["data"] for dataset in data["datasets"]}


def test_mrr_movements_stack_up_and_down_with_the_net_line_and_mrr(owner, march):
    data = chart(owner, "mrr")
    assert data["labels"][-3:] == ["2025-01", "2025-02", "2025-03"]
    series = {label: values[-3:] for label, values in by_label(data).items()}
    assert series["New MRR"] == [150, 50, 0]
    assert series["Churned MRR (lost)"] == [0, 0, -70]  # drawn below zero
    assert series["Net new MRR"] == [150, 50, -70]
    assert series["Monthly recurring revenue"] == [150, 200, 130]
    types = {d["label"]: (d["type"], d["yAxisID"], d.get("stack")) for d in data["datasets"]}
    assert types["New MRR"] == ("bar", "y", "movements") and types["Net new MRR"] == ("line", "y", "net")
    assert types["Monthly recurring revenue"] == ("line", "y1", None)
    assert data["axes"]["y"] == {"unit": "money", "position": "left", "stacked": True, "ticks": {"precision": 0}}
    assert data["axes"]["y1"]["position"] == "right"


def test_customers_churn_revenue_margin_cac_ltv_and_satisfaction_charts(owner, march):
    customers = by_label(chart(owner, "customers"))
    assert customers["Paying customers"][-1] == 2 and customers["Customer churn rate"][-1] == 50
    satisfaction = chart(owner, "satisfaction")
    assert by_label(satisfaction)["Net Promoter Score"][-1] == 50  # 3 promoters, 1 detractor of 4
    assert round(by_label(satisfaction)["Customer satisfaction (CSAT)"][-1], 1) == 66.7
    assert satisfaction["axes"]["y"]["unit"] == "score" and satisfaction["axes"]["y1"]["unit"] == "percent"
    revenue = by_label(chart(owner, "revenue"))
    assert revenue["Revenue"][-2:] == [25, 30]
    assert set(by_label(chart(owner, "cac-ltv"))) == {"Customer acquisition cost", "Customer lifetime value"}


def test_conversion_by_channel_has_a_line_per_traffic_channel(owner, march):
    data = owner.get("/charts/conversion-by-channel/?month=2025-03").json()
    rates = {label: values[-1] for label, values in by_label(data).items()}
    assert rates == {"email": 1.0, "social": 4.0}  # 3 of 300, 4 of 100 visits
    assert list(by_label(data))[0] == "email"  # the channel with most visits first
    assert data["axes"] == {"y": {"unit": "percent", "position": "left", "ticks": {"precision": 1}}}


def test_every_dashboard_chart_answers_and_unknown_ones_404(owner, march):
    for declared in DASHBOARD_CHARTS:
        assert chart(owner, declared.slug)["datasets"]
    assert owner.get("/charts/pie-in-the-sky/").status_code == 404
    bad = owner.get("/charts/mrr/?month=2025-3")
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["detail"]


def test_charts_are_for_members_of_the_company_only(client, march, globex_browser):
    assert client.get("/charts/mrr/", HTTP_HOST=march.host).status_code == 403
    theirs = by_label(chart(globex_browser, "mrr"))  # globex's own, empty, company
    assert all(value is None for values in theirs.values() for value in values)


def test_one_query_reads_the_whole_window(owner, march):
    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            chart(owner, "mrr", query)
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET ")])

    assert queries("month=2025-03&range=12") == queries("month=2025-03&range=all") == queries(
        "month=2025-03&range=24") <= 6
