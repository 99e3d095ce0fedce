"""Benchmark bands people can read (issue 17, item 5): each names its source article
briefly and links to it, and a USD band on a company in another currency is converted
with the company's rate and says so, or says it is a USD band."""

from contextlib import contextmanager
from datetime import date

from django.db import connection

from metrics.kpis.registry import find_kpi
from tests.metrics.kpis.builders import fx_rate

ARPU_SOURCE = 'href="https://financialmodeltemplates.com/blogs/kpis/software-e-commerce"'


@contextmanager
def currency(acme, code: str):
    acme.tenant.currency = code
    acme.tenant.save(update_fields=["currency"])
    try:
        yield
    finally:
        acme.tenant.currency = "USD"
        acme.tenant.save(update_fields=["currency"])


def card(page: str, key: str) -> str:
    return page.split(f'data-kpi="{key}"', 1)[1].split("</li>", 1)[0]


def test_every_band_has_a_short_source_name_and_a_link():
    for key in ("customer_churn_rate", "customer_retention_rate", "avg_resolution_hours", "arpu"):
        for source in find_kpi(key).benchmark.sources:
            assert source.name and len(source.name) < 30 and source.url.startswith("https://")


def test_a_card_names_and_links_its_source_and_a_usd_company_sees_its_own_dollars(owner, stored):
    page = owner.get("/").content.decode()
    churn = card(page, "customer_churn_rate")
    assert "healthy &lt; 5 %" in churn and ">Financial Model Templates</a>" in churn and ARPU_SOURCE in churn
    arpu = card(page, "arpu")
    assert "$50-100 per month typical SaaS" in arpu and "USD band" not in arpu and "converted" not in arpu


def test_a_euro_company_with_a_usd_rate_sees_the_band_converted_and_told_so(owner, stored, acme):
    connection.set_tenant(acme.tenant)
    fx_rate("USD", date(2025, 1, 1), "0.5")
    fx_rate("USD", date(2025, 10, 1), "0.9")  # the latest up to November: this one
    fx_rate("USD", date(2026, 1, 1), "2")
    connection.set_schema_to_public()
    with currency(acme, "EUR"):
        arpu = card(owner.get("/").content.decode(), "arpu")
        assert "€45.00–€90.00 per month typical SaaS" in arpu and "(converted from USD)" in arpu
        page = owner.get("/kpis/arpu/?month=2025-11").content.decode()
        assert "€45.00–€90.00 per month typical SaaS" in page and "(converted from USD)" in page
        assert ARPU_SOURCE in page and "What Are the 7 Key KPIs for Software Ecommerce?" in page


def test_a_euro_company_without_a_usd_rate_is_told_it_is_a_usd_band(owner, stored, acme):
    with currency(acme, "EUR"):
        arpu = card(owner.get("/").content.decode(), "arpu")
        assert "$50-100 per month typical SaaS" in arpu and "(USD band)" in arpu


def test_the_api_adds_the_bands_currency_and_sources_and_keeps_its_fields(stored, acme_owner):
    items = {item["key"]: item for item in acme_owner.get("/api/v1/kpis/?period=2025-11").json()}
    arpu, churn = items["arpu"]["benchmark"], items["customer_churn_rate"]["benchmark"]
    assert arpu["band"] == "$50-100 per month typical SaaS" and arpu["currency"] == "USD"
    assert arpu["source"] == "What Are the 7 Key KPIs for Software Ecommerce?"
    assert arpu["sources"] == [{"title": "What Are the 7 Key KPIs for Software Ecommerce?",
                                "name": "Financial Model Templates",
                                "url": "https://financialmodeltemplates.com/blogs/kpis/software-e-commerce"}]
    assert churn["currency"] is None
    assert items["mrr"]["benchmark"] is None
