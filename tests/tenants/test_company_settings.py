"""Company settings (issue 17, item 1): members read them, owners and admins change them
through the page or ``PATCH /api/v1/company/``; bad values are 400s naming the field; a
new reporting currency answers 202 with a recompute a real worker finishes, after
which the KPIs are in the new currency; another company's token reaches nothing;
survey e-mails come from the sender name with the reply-to address."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Member
from accounts.services import add_member, issue_token
from audit.models import CompanyEvent
from metrics.models import FxRate, Subscription
from surveys import delivery
from surveys.models import Survey
from tenants.models import Tenant
from tenants.selectors import currency_needs
from tenants.signup import tenant_domain
from tests.conftest import host_client
from tests.metrics.kpis.builders import customer, customers, invoice, subscription, subscriptions_for
from tests.support.smtp import text_of
from tests.support.tenants import company_of_its_own
from tests.support.waiting import wait_for_job
from tests.surveys.conftest import make_customer, make_survey

MEMBER_PASSWORD = "member-pass-9876"


def person_of_acme(acme, role: str, email: str):
    connection.set_tenant(acme.tenant)
    user = add_member(email=email, password=MEMBER_PASSWORD, role=role)
    token = issue_token(user)
    connection.set_schema_to_public()
    return host_client(acme.host, token)


@pytest.fixture
def acme_member_api(db, acme):
    return person_of_acme(acme, Member.Role.MEMBER, "mia@acme.example")


@pytest.fixture
def acme_admin_api(db, acme):
    return person_of_acme(acme, Member.Role.ADMIN, "ada@acme.example")


def logged_in(handle, email: str, password: str) -> Client:
    client = Client(HTTP_HOST=handle.host)
    assert client.post("/accounts/login/", {"username": email, "password": password}).status_code == 302
    return client


# The API


def test_a_member_reads_the_settings_but_cannot_change_them(acme, acme_member_api):
    answer = acme_member_api.get("/api/v1/company/")
    assert answer.status_code == 200
    assert answer.json() == {
        "name": "Acme Analytics", "slug": "acme", "timezone": "UTC", "locale": "en-US", "currency": "USD",
        "business_model": "subscription", "survey_sender_name": "", "survey_reply_to": ""}

    refused = acme_member_api.patch("/api/v1/company/", {"name": "Mia's Acme"}, format="json")
    assert refused.status_code == 403
    assert Tenant.objects.get(slug="acme").name == "Acme Analytics"


def test_the_owner_changes_name_time_zone_number_format_and_survey_sender(acme, acme_owner):
    answer = acme_owner.patch("/api/v1/company/", {
        "name": "Acme Analytics GmbH", "timezone": "Europe/Berlin", "locale": "de-DE",
        "business_model": "services", "survey_sender_name": "Acme Customer Team",
        "survey_reply_to": "care@acme.example"}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["timezone"] == "Europe/Berlin"
    stored = Tenant.objects.get(slug="acme")
    assert (stored.name, stored.timezone, stored.locale, stored.business_model,
            stored.survey_sender_name, stored.survey_reply_to) == (
        "Acme Analytics GmbH", "Europe/Berlin", "de-DE", "services", "Acme Customer Team", "care@acme.example")
    assert acme_owner.get("/api/v1/me/").json()["tenant"]["timezone"] == "Europe/Berlin"  # at once


def test_an_admin_changes_the_settings_and_the_audit_log_records_it(acme, acme_admin_api):
    answer = acme_admin_api.patch("/api/v1/company/", {"timezone": "America/New_York"}, format="json")
    assert answer.status_code == 200, answer.content

    connection.set_tenant(acme.tenant)
    changed = CompanyEvent.objects.filter(pgh_label="company.settings_changed").latest("pgh_created_at")
    assert changed.timezone == "America/New_York"


def test_the_slug_cannot_be_changed(acme, acme_owner):
    answer = acme_owner.patch("/api/v1/company/", {"slug": "acme-two", "name": "Acme Two"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["slug"] == "acme"
    assert Tenant.objects.get(name="Acme Two").slug == "acme"


@pytest.mark.parametrize(("field", "value"), [
    ("timezone", "Mars/Olympus_Mons"), ("currency", "XYZ"), ("locale", "xx-XX"),
    ("survey_reply_to", "not an address"), ("name", ""), ("name", 42), ("business_model", "cars"),
    ("survey_sender_name", "Acme\r\nBcc: everyone@example.com"), ("timezone", None),
])
def test_a_bad_value_is_a_400_naming_the_field(acme, acme_owner, field, value):
    answer = acme_owner.patch("/api/v1/company/", {field: value}, format="json")
    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == [field]
    assert Tenant.objects.get(slug="acme").currency == "USD"


def test_every_bad_field_is_named_at_once(acme, acme_owner):
    answer = acme_owner.patch("/api/v1/company/", {"timezone": "Nowhere/Land", "survey_reply_to": "x",
                                                  "currency": "EUR"}, format="json")
    assert answer.status_code == 400
    assert sorted(answer.json()) == ["survey_reply_to", "timezone"]
    assert Tenant.objects.get(slug="acme").currency == "USD"


def test_what_a_new_currency_needs_names_currencies_without_rates_and_rates_stated_in_the_old_one(in_acme):
    subscription(customer(), date(2025, 1, 1), currency="JPY")
    invoice(date(2025, 2, 1), "10", currency="JPY")
    invoice(date(2025, 2, 1), "10", currency="GBP")
    invoice(date(2025, 2, 1), "10")  # in the reporting currency
    FxRate.objects.create(currency="GBP", month=date(2025, 1, 1), rate="1.27")
    FxRate.objects.create(currency="EUR", month=date(2025, 1, 1), rate="1.08")

    needs = currency_needs(currency="EUR", previous="USD")
    assert needs.missing == [("JPY", 2)]
    assert needs.stated_in == ["GBP"]
    assert needs.sentences[1] == ("The exchange rates imported for GBP give USD per unit and are now read as "
                                  "EUR per unit: import them again in EUR.")
    assert currency_needs(currency="USD", previous="EUR").stated_in == ["GBP"]  # EUR's own rate was unused
    assert currency_needs(currency="EUR").sentences == [
        "2 stored amounts in JPY have no exchange rate and are left out of the KPIs: import exchange rates "
        "(kind fx_rates) giving EUR per 1 JPY, month by month."]


def test_another_company_cannot_read_or_change_the_settings(acme, globex, db):
    stranger = host_client(acme.host, globex.owner_token)  # globex's token, on acme's host
    assert stranger.get("/api/v1/company/").status_code == 401
    assert stranger.patch("/api/v1/company/", {"name": "Taken"}, format="json").status_code == 401
    own = host_client(globex.host, globex.owner_token).get("/api/v1/company/")
    assert own.json()["slug"] == "globex"
    assert Tenant.objects.get(slug="acme").name == "Acme Analytics"


def test_sign_up_stores_the_business_model_subscription_unless_told(public_client):
    base = {"email": "boss@{}.example", "password": "correct-horse-battery-staple"}
    for slug, extra, expected in [("bm-shop", {"business_model": "ecommerce"}, "ecommerce"),
                                  ("bm-saas", {}, "subscription")]:
        answer = public_client.post("/api/v1/signup/", {
            "company_name": slug, "slug": slug, **base, "email": base["email"].format(slug), **extra}, format="json")
        assert answer.status_code == 201, answer.content
        assert Tenant.objects.get(slug=slug).business_model == expected
    refused = public_client.post("/api/v1/signup/", {
        "company_name": "x", "slug": "bm-bad", **base, "email": "a@bm-bad.example", "business_model": "cars"},
        format="json")
    assert refused.status_code == 400 and "business_model" in refused.json()


def test_the_sign_up_page_offers_the_business_model_with_subscription_chosen(db):
    page = Client(HTTP_HOST="localhost").get("/signup/")
    assert page.status_code == 200
    assert b'<option value="subscription" selected>' in page.content
    assert b'<option value="ecommerce">' in page.content


# The page


def test_a_member_sees_the_settings_read_only_and_cannot_post(acme, acme_member_api):
    member = logged_in(acme, "mia@acme.example", MEMBER_PASSWORD)
    page = member.get("/settings/company/")
    assert page.status_code == 200
    assert b"data-settings-read-only" in page.content and b'name="currency"' not in page.content
    assert member.post("/settings/company/", {"name": "Mia's"}).status_code == 403


def test_the_owner_changes_time_zone_and_number_format_on_the_page_and_pages_follow_at_once(acme, db):
    owner = logged_in(acme, acme.owner_email, acme.password)
    form = owner.get("/settings/company/")
    assert b'<option value="subscription" selected>' in form.content
    assert b'href="/settings/leave/"' in form.content  # the export and the deletion, one click away
    answer = owner.post("/settings/company/", {
        "name": "Acme Analytics", "timezone": "Asia/Tokyo", "locale": "fr-FR", "currency": "USD",
        "business_model": "subscription", "survey_sender_name": "", "survey_reply_to": ""})
    assert answer.status_code == 302
    page = owner.get("/settings/company/")
    assert b'data-locale="fr-FR"' in page.content
    assert b'<option value="Asia/Tokyo" selected>' in page.content
    assert b"Saved: time zone, number format." in page.content


def test_a_bad_value_on_the_page_is_shown_next_to_its_field(acme, db):
    owner = logged_in(acme, acme.owner_email, acme.password)
    answer = owner.post("/settings/company/", {
        "name": "Acme Analytics", "timezone": "Nowhere/Land", "locale": "en-US", "currency": "USD",
        "business_model": "subscription", "survey_reply_to": "nope"})
    assert answer.status_code == 400
    assert b"Nowhere/Land is not one of the available choices" in answer.content
    assert b"Enter a valid email address." in answer.content
    assert Tenant.objects.get(slug="acme").timezone == "UTC"


# Survey e-mails


@pytest.fixture
def acme_sender(in_acme):
    """acme with a survey sender name and reply-to, on the tenant object the delivery reads."""
    tenant = in_acme.tenant
    tenant.survey_sender_name, tenant.survey_reply_to = "Acme Customer Team", "care@acme.example"
    yield tenant
    tenant.survey_sender_name, tenant.survey_reply_to = "", ""


def send_one_survey() -> None:
    make_customer(email="ana@customers.example", name="Ana")
    survey = make_survey()
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENDING)
    delivery.deliver(survey_id=survey.pk)


def test_survey_emails_come_from_the_sender_name_with_the_reply_to(acme_sender, smtp_sink, settings):
    send_one_survey()
    message = smtp_sink.messages[0]
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    assert message["From"] == f"Acme Customer Team <{address}>"
    assert message["Reply-To"] == "care@acme.example"
    assert "Acme Analytics" in text_of(message)  # the question still names the company


def test_survey_emails_come_from_the_company_name_without_reply_to_by_default(in_acme, smtp_sink):
    send_one_survey()
    message = smtp_sink.messages[0]
    assert message["From"].startswith("Acme Analytics <")
    assert message["Reply-To"] is None


# A new reporting currency, with a real worker


@pytest.fixture
def company(committed_db):
    with company_of_its_own("cur") as made:
        yield made


@pytest.mark.worker
def test_a_currency_change_recomputes_on_the_worker_and_the_kpis_are_in_the_new_currency(worker, company):
    tenant = company.tenant
    connection.set_tenant(tenant)
    # Reporting in USD: 5 customers pay 100 EUR a month, 3 pay 100 in the reporting currency (USD).
    people = customers(8)
    subscriptions_for(people[:5], date(2025, 1, 1), currency="EUR")
    subscriptions_for(people[5:], date(2025, 1, 1))
    FxRate.objects.create(currency="EUR", month=date(2025, 1, 1), rate="1.1")  # USD per EUR
    connection.set_schema_to_public()
    api = host_client(tenant_domain(tenant.slug), company.token)
    assert wait_for_job(api.post("/api/v1/kpis/recompute/").json()["job_id"], tenant, timeout=60).status == "succeeded"
    connection.set_schema_to_public()
    assert api.get("/api/v1/kpis/mrr/?period=2025-03").json()["value"] == 850  # 5 x 110 + 3 x 100

    answer = api.patch("/api/v1/company/", {"currency": "EUR"}, format="json")

    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["currency"] == "EUR"
    assert body["needs"] == ["3 stored amounts in USD have no exchange rate and are left out of the KPIs: "
                             "import exchange rates (kind fx_rates) giving EUR per 1 USD, month by month."]
    job = wait_for_job(body["job_id"], tenant, timeout=60)
    assert job.status == "succeeded", job.error
    assert job.result["warnings"] == ["3 subscriptions are in a currency without any exchange rate and are left out"]
    assert set(Subscription.objects.values_list("currency", flat=True)) == {"EUR", "USD"}  # none left blank
    connection.set_schema_to_public()
    assert api.get(f"/api/v1/jobs/{job.pk}/").json()["status"] == "succeeded"
    assert api.get("/api/v1/kpis/mrr/?period=2025-03").json()["value"] == 500  # the EUR amounts, as they are

    connection.set_tenant(tenant)
    FxRate.objects.create(currency="USD", month=date(2025, 1, 1), rate="0.9")  # EUR per USD
    connection.set_schema_to_public()
    assert wait_for_job(api.post("/api/v1/kpis/recompute/").json()["job_id"], tenant, timeout=60).status == "succeeded"
    connection.set_schema_to_public()
    assert api.get("/api/v1/kpis/mrr/?period=2025-03").json()["value"] == 770  # 500 + 3 x 90
