"""The dashboard leads with the headline of the company's model (e-commerce suggested
by the data), and each person pins, hides and moves cards, kept for them alone
(issue 17, item 4)."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client

from accounts.services import add_member
from metrics.dashboard.layout import arrange, headline_model, moved
from metrics.models import DashboardCard
from tests.metrics.dashboard.conftest import logged_in
from tests.metrics.kpis.builders import customers, invoice, subscription

HTMX = {"HTTP_HX_REQUEST": "true"}


def headline(page: str) -> list[str]:
    part = page.split('class="kpi-headline"', 1)[1].split("</section>", 1)[0]
    return [chunk.split('"', 1)[0] for chunk in part.split('data-kpi="')[1:]]


def hidden(page: str) -> list[str]:
    if 'class="kpi-hidden"' not in page:
        return []
    part = page.split('class="kpi-hidden"', 1)[1].split("</details>", 1)[0]
    return [chunk.split('"', 1)[0] for chunk in part.split('data-kpi="')[1:]]


def test_a_subscription_company_leads_with_mrr_churn_and_nps_before_the_groups(owner, stored):
    page = owner.get("/").content.decode()
    assert headline(page) == ["mrr", "net_new_mrr", "customers", "customer_churn_rate", "nps"]
    assert page.index('class="kpi-headline"') < page.index('class="kpi-group"')
    assert "suggested by your data" not in page
    assert '<details class="kpi-group" open data-group="Revenue">' in page  # groups fold


def test_invoices_without_subscriptions_suggest_the_e_commerce_headline(owner, stored, acme):
    connection.set_tenant(acme.tenant)
    invoice(date(2025, 11, 3), "40")
    connection.set_schema_to_public()
    page = owner.get("/").content.decode()
    assert headline(page) == ["revenue", "orders", "aov", "new_customers", "visitor_conversion_rate"]
    assert "suggested by your data (invoices, no subscriptions)" in page
    assert 'href="/settings/company/"' in page


def test_subscriptions_keep_the_subscription_headline_and_a_chosen_model_is_used_as_chosen(owner, stored, acme):
    connection.set_tenant(acme.tenant)
    invoice(date(2025, 11, 3), "40")
    subscription(customers(1)[0], date(2025, 1, 5))
    connection.set_schema_to_public()
    assert headline(owner.get("/").content.decode())[0] == "mrr"
    acme.tenant.business_model = "services"
    acme.tenant.save(update_fields=["business_model"])
    try:
        page = owner.get("/").content.decode()
        assert headline(page) == ["revenue", "revenue_growth_rate", "gross_margin", "new_customers", "csat"]
        assert "suggested" not in page
    finally:
        acme.tenant.business_model = "subscription"
        acme.tenant.save(update_fields=["business_model"])


def test_an_owner_pins_hides_and_moves_cards_and_finds_them_so_on_the_next_visit(owner, stored):
    swapped = owner.post("/dashboard/cards/revenue/", {"action": "pin"}, **HTMX)
    assert swapped.status_code == 200 and headline(swapped.content.decode())[-1] == "revenue"  # the sections again
    owner.post("/dashboard/cards/nps/", {"action": "hide"}, **HTMX)
    owner.post("/dashboard/cards/revenue/", {"action": "up"}, **HTMX)
    owner.post("/dashboard/cards/mrr/", {"action": "unpin"}, **HTMX)

    page = owner.get("/").content.decode()
    assert headline(page) == ["net_new_mrr", "customers", "revenue", "customer_churn_rate"]
    assert hidden(page) == ["nps"]
    assert 'data-kpi="mrr"' in page.split('data-group="Revenue"', 1)[1].split("</details>", 1)[0]

    owner.post("/dashboard/cards/nps/", {"action": "show"}, **HTMX)
    assert hidden(owner.get("/").content.decode()) == []
    plain = owner.post("/dashboard/cards/customers/", {"action": "down"})  # without htmx: back to the dashboard
    assert plain.status_code == 302 and plain["Location"] == "/"
    assert headline(owner.get("/").content.decode())[1:3] == ["revenue", "customers"]


def test_a_layout_is_one_persons_own(owner, stored, acme):
    owner.post("/dashboard/cards/mrr/", {"action": "hide"}, **HTMX)
    connection.set_tenant(acme.tenant)
    add_member(email="colleague@acme.example", password="a-long-pass-2026!", role="member")
    connection.set_schema_to_public()
    colleague = Client(HTTP_HOST=acme.host)
    assert colleague.post("/accounts/login/", {"username": "colleague@acme.example",
                                               "password": "a-long-pass-2026!"}).status_code == 302
    page = colleague.get("/").content.decode()
    assert headline(page)[0] == "mrr" and hidden(page) == []
    assert hidden(owner.get("/").content.decode()) == ["mrr"]


def test_another_company_cannot_change_or_see_a_layout(owner, stored, acme, globex):
    owner.post("/dashboard/cards/mrr/", {"action": "hide"}, **HTMX)
    stranger = logged_in(globex)
    response = stranger.post("/dashboard/cards/mrr/", {"action": "show"}, HTTP_HOST=acme.host, **HTMX)
    assert response.status_code in (302, 403)
    assert hidden(owner.get("/").content.decode()) == ["mrr"]
    connection.set_tenant(globex.tenant)
    assert not DashboardCard.objects.exists()
    connection.set_schema_to_public()


def test_bad_actions_and_unknown_cards_are_refused_plainly(owner, stored):
    assert owner.post("/dashboard/cards/mrr/", {"action": "explode"}, **HTMX).status_code == 400
    assert owner.post("/dashboard/cards/no_such_kpi/", {"action": "pin"}, **HTMX).status_code == 404
    assert owner.get("/dashboard/cards/mrr/").status_code == 405
    assert Client(HTTP_HOST=owner.defaults["HTTP_HOST"]).post("/dashboard/cards/mrr/", {"action": "pin"}).status_code == 302


def test_a_reset_brings_back_the_companys_layout(owner, stored):
    owner.post("/dashboard/cards/mrr/", {"action": "hide"}, **HTMX)
    assert owner.post("/dashboard/layout/reset/").status_code == 302
    assert headline(owner.get("/").content.decode())[0] == "mrr"


class Choice:
    def __init__(self, kpi, pinned=None, hidden=False, position=None):
        self.kpi, self.pinned, self.hidden, self.position = kpi, pinned, hidden, position


def test_arranging_puts_placed_cards_first_and_the_rest_in_catalog_order():
    groups = {"Revenue": ["mrr", "arr", "revenue"], "Customers": ["customers", "churn"]}
    arrangement = arrange(groups, headline_keys=("mrr", "customers"), choices={
        "revenue": Choice("revenue", pinned=True), "customers": Choice("customers", position=0),
        "churn": Choice("churn", hidden=True), "arr": Choice("arr", position=5)})
    assert arrangement.headline == ["customers", "mrr", "revenue"]
    assert arrangement.rows == {"Revenue": ["arr"], "Customers": []}
    assert arrangement.hidden == ["churn"]
    assert moved(["a", "b", "c"], "c", -1) == ["a", "c", "b"]
    assert moved(["a", "b", "c"], "a", -1) == ["a", "b", "c"]  # at an end, as is


def test_the_model_is_suggested_only_when_left_on_the_default():
    assert headline_model(chosen="subscription", has_subscriptions=False, has_invoices=True).model == "ecommerce"
    assert headline_model(chosen="subscription", has_subscriptions=True, has_invoices=True).model == "subscription"
    assert headline_model(chosen="subscription", has_subscriptions=False, has_invoices=False).model == "subscription"
    assert headline_model(chosen="services", has_subscriptions=False, has_invoices=True).model == "services"
