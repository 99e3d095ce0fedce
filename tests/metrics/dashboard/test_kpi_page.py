"""The KPI page /kpis/<key>/: value and change, formula and inputs in words, goal
action, breakdowns and drill-down records (htmx fragments or pages of their own), CSV
export; tenant isolation and a fixed number of queries."""

from datetime import date

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metrics.models import Goal, KpiValue
from metrics.segments.selectors import filter_suggestions

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_page_shows_the_month_its_change_the_formula_and_the_inputs_in_words(owner, march):
    page = text(owner.get("/kpis/customer_churn_rate/?month=2025-03"))
    assert "<h1>Customer churn rate</h1>" in page
    assert "50.0 %" in page  # 2 of 4
    assert "Churned customers / customers at the start of the month" in page  # the formula in words
    assert "2 of 4 customers at the start of the month churned." in page
    assert "healthy &lt; 5 %" in page and "What Are the 7 Key KPIs for Software Ecommerce?" in page
    assert 'href="/goals/new/?kpi=customer_churn_rate"' in page  # set a goal, KPI pre-filled
    assert 'data-chart-url="/kpis/customer_churn_rate/chart/?month=2025-03&amp;range=12"' in page
    assert "Lower is better." in page
    # Breakdowns and records load after the page (htmx), with plain links without JS.
    assert "<h2 id=\"breakdown-title\">Breakdown for March 2025</h2>" in page
    assert 'hx-get="/kpis/customer_churn_rate/breakdown/?month=2025-03"' in page
    assert 'href="/kpis/customer_churn_rate/records/?month=2025-03&amp;movement=churn"' in page


def test_the_set_a_goal_action_becomes_the_goal_once_there_is_one(owner, march):
    from django.contrib.auth import get_user_model

    connection.set_tenant(march.tenant)
    goal = Goal.objects.create(title="Churn below 4", kpi="customer_churn_rate", target_value=4, baseline_value=6,
                               start_date=date(2025, 3, 1), deadline=date(2025, 12, 31),
                               owner=get_user_model().objects.get(username=march.owner_email))
    connection.set_schema_to_public()
    page = text(owner.get("/kpis/customer_churn_rate/?month=2025-03"))
    assert f'href="/goals/{goal.pk}/"' in page and "?kpi=customer_churn_rate" not in page


def test_series_chart_for_12_24_months_or_all(owner, march):
    twelve = owner.get("/kpis/mrr/chart/?month=2025-03&range=12").json()
    assert twelve["labels"][0] == "2024-04" and twelve["labels"][-1] == "2025-03" and len(twelve["labels"]) == 12
    assert twelve["datasets"][0]["label"] == "Monthly recurring revenue"
    assert twelve["datasets"][0]["data"][-3:] == [150, 200, 130]
    assert twelve["axes"] == {"y": {"unit": "money", "position": "left", "stacked": False, "ticks": {"precision": 0}}}
    assert len(owner.get("/kpis/mrr/chart/?month=2025-03&range=24").json()["labels"]) == 24
    everything = owner.get("/kpis/mrr/chart/?month=2025-03&range=all").json()
    assert everything["labels"] == ["2025-01", "2025-02", "2025-03"]
    bad = owner.get("/kpis/mrr/chart/?range=36")
    assert bad.status_code == 400 and "range must be one of 12, 24, all" in bad.json()["detail"]
    assert owner.get("/kpis/no_such_kpi/chart/").status_code == 404


def test_breakdown_by_segment_and_plan_as_a_fragment_or_a_page(owner, march):
    fragment = text(owner.get("/kpis/mrr/breakdown/?month=2025-03&by=segment", **HTMX))
    assert "<html" not in fragment
    rows = fragment.split("<tbody>", 1)[1]
    assert rows.index(">a<") < rows.index("$100.00") < rows.index(">b<") < rows.index("$30.00")
    plan = text(owner.get("/kpis/mrr/breakdown/?month=2025-03&by=plan", **HTMX))
    assert ">pro<" in plan and ">basic<" in plan
    page = text(owner.get("/kpis/mrr/breakdown/?month=2025-03&by=segment"))
    assert "<html" in page and "$100.00" in page  # without JavaScript: a page of its own
    assert owner.get("/kpis/mrr/breakdown/?month=2025-03&by=shoe_size").status_code == 404
    assert owner.get("/kpis/revenue/breakdown/?month=2025-03").status_code == 404  # no breakdowns listed


def test_drill_down_lists_the_churned_customers_with_their_lost_mrr_and_exports_them(owner, march):
    fragment = text(owner.get("/kpis/customer_churn_rate/records/?month=2025-03&movement=churn", **HTMX))
    assert "2 records: churned, March 2025" in fragment
    assert "50.00" in fragment and "20.00" in fragment and "-50.00" in fragment
    assert 'href="/kpis/customer_churn_rate/records.csv?month=2025-03&amp;movement=churn"' in fragment
    export = owner.get("/kpis/customer_churn_rate/records.csv?month=2025-03&movement=churn")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert 'filename="customer_churn_rate-churn-2025-03.csv"' in export["Content-Disposition"]
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0].startswith("customer_id,name,segment,country,channel,movement,previous_mrr,mrr,change")
    assert len(lines) == 3
    tricky = next(line for line in lines if "HYPERLINK" in line)
    assert "'=HYPERLINK" in tricky  # a spreadsheet opens it as text, not as a formula
    assert owner.get("/kpis/customer_churn_rate/records/?month=2025-03&movement=expansion").status_code == 404


def test_records_are_paged(owner, march):
    page = text(owner.get("/kpis/revenue/records/?month=2025-03&movement=paid", **HTMX))
    assert "3 records" in page and "Page 1 of" not in page  # 3 fit on one page


def test_custom_metric_and_survey_kpis_have_pages_too(owner, march):
    custom = text(owner.get("/kpis/trial_signups/?month=2025-03"))
    assert "Trial signups" in custom and ">42<" in custom
    nps = text(owner.get("/kpis/nps/?month=2025-03"))
    assert "3 promoters, 0 passives and 1 detractors" in nps


def test_bad_input_gets_a_clear_answer_not_a_500(owner, march):
    assert owner.get("/kpis/no_such_kpi/").status_code == 404
    bad = owner.get("/kpis/mrr/?month=2025-13")
    assert bad.status_code == 400 and "not a month between" in bad.content.decode()
    assert owner.get("/kpis/mrr/records/?month=March").status_code == 404


def test_a_new_company_is_told_what_to_import(globex_browser):
    page = text(globex_browser.get("/kpis/mrr/"))
    assert "No KPIs have been computed yet" in page and 'href="/imports/"' in page


def test_other_tenants_and_anonymous_visitors_get_nothing(owner, globex_browser, march, globex, client):
    anonymous = client.get("/kpis/mrr/records.csv?month=2025-03&movement=active", HTTP_HOST=march.host)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # globex's session cookie replayed on acme's host is not a login there.
    replayed = Client(HTTP_HOST=march.host)
    replayed.cookies[settings.SESSION_COOKIE_NAME] = globex_browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert replayed.get("/kpis/mrr/?month=2025-03").status_code == 302
    assert replayed.get("/kpis/mrr/chart/?month=2025-03").status_code == 403
    # On its own host globex sees its own (empty) company, never acme's customers.
    theirs = text(globex_browser.get("/kpis/customer_churn_rate/records/?month=2025-03&movement=churn"))
    assert "No churned in March 2025" in theirs and "HYPERLINK" not in theirs
    assert globex_browser.get("/kpis/mrr/chart/?month=2025-03").json()["datasets"][0]["data"] == [None] * 12


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_data(owner, march):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner.get("/kpis/customer_churn_rate/?month=2025-03").status_code == 200
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET ")])

    connection.set_tenant(march.tenant)
    filter_suggestions()  # read once per recompute, by whichever page comes first: not this count's business
    connection.set_schema_to_public()
    before = queries()
    connection.set_tenant(march.tenant)
    KpiValue.objects.filter(kpi="customer_churn_rate").update(inputs={"churned_customers": 5, "customers_at_start": 9})
    connection.set_schema_to_public()
    assert queries() == before <= 12
