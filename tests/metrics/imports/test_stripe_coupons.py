"""A Stripe subscriptions export's coupons, valued once: the export names a coupon
without its value, so the preview lists the coupons, an import takes their values
(a forever coupon lowers the amount, and so MRR; a once or repeating one does not),
remembers them for the company, and the next import applies them with a note."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from metrics.imports import running
from metrics.kpis.compute import recompute_kpis
from metrics.models import DataImport, KpiValue, StripeCoupon, Subscription
from tests.metrics.imports.test_pages import browser_for
from tests.metrics.imports.vendor_files import STRIPE_SUBSCRIPTIONS_HEADER, csv_bytes

EXPORT = "subscriptions.csv"
JANUARY_END = datetime.datetime(2024, 1, 31, 12, tzinfo=datetime.UTC)
VALUES = {"TWENTY": {"percent_off": 20}, "WELCOME": {"percent_off": 50, "duration": "once"},
          "FIFTEEN": {"amount_off": "15.00", "duration": "forever"}}


def row(sub: str, customer: str, quantity: str, interval: str, amount: str, start: str, coupon: str) -> list[str]:
    return [sub, customer, "", f"{customer}@x.example", "plan", quantity, "usd", interval, amount, "active",
            start, start, start, "2024-02-28 10:00", "", "", coupon, "", "false", ""]


def export() -> bytes:
    return csv_bytes(STRIPE_SUBSCRIPTIONS_HEADER, [
        row("sub_1", "cus_A", "1", "month", "100.00", "2024-01-05 10:00", "TWENTY"),    # 20 % forever: 80
        row("sub_2", "cus_B", "2", "month", "30.00", "2024-01-10 10:00", "WELCOME"),    # once: 2 x 30 = 60
        row("sub_3", "cus_C", "1", "year", "1200.00", "2024-01-15 10:00", "TWENTY"),    # 960 a year: 80
        row("sub_4", "cus_D", "3", "month", "40.00", "2024-01-16 10:00", "FIFTEEN"),    # 120 - 15 = 105
        row("sub_5", "cus_E", "1", "month", "50.00", "2024-01-17 10:00", ""),           # 50
        row("sub_6", "cus_F", "1", "month", "20.00", "2024-01-18 10:00", "MYSTERY"),    # unknown: 20
    ])


def preview_of(client, **fields) -> dict:
    response = client.post("/api/v1/imports/preview/", {"file": SimpleUploadedFile(EXPORT, export()), **fields},
                           format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def import_via_api(client, tenant, **fields) -> DataImport:
    response = client.post("/api/v1/imports/", {"file": SimpleUploadedFile(EXPORT, export()), **fields},
                           format="multipart")
    assert response.status_code == 202, response.content
    connection.set_tenant(tenant)
    running.run_import(import_id=response.json()["id"])
    record = DataImport.objects.select_related("job").get(pk=response.json()["id"])
    assert record.job.status == "succeeded", (record.errors, record.job.error)
    return record


def amounts() -> dict[str, Decimal]:
    return dict(Subscription.objects.values_list("subscription_id", "amount"))


def january_mrr() -> Decimal:
    recompute_kpis(now=JANUARY_END)
    return KpiValue.objects.get(kpi="mrr", month=datetime.date(2024, 1, 1)).value


def test_forever_coupons_lower_mrr_and_are_remembered_with_a_note(acme_owner, acme):
    listed = {item["coupon"]: (item["subscriptions"], item["value"], item["from"])
              for item in preview_of(acme_owner)["coupons"]}
    assert listed == {"TWENTY": (2, None, "unknown"), "WELCOME": (1, None, "unknown"),
                      "FIFTEEN": (1, None, "unknown"), "MYSTERY": (1, None, "unknown")}
    connection.set_schema_to_public()
    previewed = preview_of(acme_owner, coupons=json.dumps(VALUES))
    assert {row["values"]["amount"] for row in previewed["rows"] if row["values"]["subscription_id"] == "sub_1"} \
        == {"80.00"}

    first = import_via_api(acme_owner, acme.tenant, coupons=json.dumps(VALUES))
    assert first.coupons == {"TWENTY": {"percent_off": "20", "duration": "forever"},
                             "WELCOME": {"percent_off": "50", "duration": "once"},
                             "FIFTEEN": {"amount_off": "15.00", "duration": "forever"}}
    assert amounts() == {"sub_1": Decimal("80.00"), "sub_2": Decimal("30.00"), "sub_3": Decimal("960.00"),
                         "sub_4": Decimal("35.00"), "sub_5": Decimal("50.00"), "sub_6": Decimal("20.00")}
    # 80 + 2 x 30 + 960 / 12 + 3 x 35 + 50 + 20 = 395 (the plan prices: 100 + 60 + 100 + 120 + 50 + 20 = 450).
    assert january_mrr() == Decimal(395)
    assert ("Coupons applied as given with this import (subscriptions): FIFTEEN (1): 15.00 off forever; "
            "TWENTY (2): 20 % off forever. MRR is lowered by them.") in first.notes
    assert any(note.startswith("Coupons that do not last forever") and "WELCOME (once, 1)" in note
               for note in first.notes)
    assert any(note.startswith("1 subscription carries a coupon") and "MYSTERY (1)" in note for note in first.notes)
    assert StripeCoupon.objects.get(coupon="TWENTY").confirmed_by.email == acme.owner_email

    # Again with no values: the remembered ones apply, and a note says so.
    Subscription.objects.all().delete()
    connection.set_schema_to_public()
    again = import_via_api(acme_owner, acme.tenant)
    assert again.coupons == {}
    assert amounts()["sub_1"] == Decimal("80.00") and amounts()["sub_4"] == Decimal("35.00")
    assert january_mrr() == Decimal(395)
    note = next(note for note in again.notes if note.startswith("Coupons applied as confirmed"))
    assert f"TWENTY (2): 20 % off forever, confirmed by {acme.owner_email} on " in note
    connection.set_schema_to_public()
    listed = {item["coupon"]: item for item in preview_of(acme_owner)["coupons"]}
    assert (listed["TWENTY"]["value"], listed["TWENTY"]["from"]) == (
        {"percent_off": "20", "duration": "forever"}, "confirmed")
    assert listed["MYSTERY"]["from"] == "unknown"


def test_another_company_never_sees_the_values(acme_owner, globex_owner, acme, globex):
    import_via_api(acme_owner, acme.tenant, coupons=json.dumps(VALUES))
    connection.set_schema_to_public()
    assert {item["from"] for item in preview_of(globex_owner)["coupons"]} == {"unknown"}
    connection.set_schema_to_public()
    theirs = import_via_api(globex_owner, globex.tenant)
    assert amounts()["sub_1"] == Decimal("100.00")
    assert january_mrr() == Decimal(450)
    assert not any(note.startswith("Coupons applied") for note in theirs.notes)
    assert not StripeCoupon.objects.exists()


def test_values_are_checked(acme_owner):
    for wrong in ({"TWENTY": {"percent_off": 120}}, {"TWENTY": {"percent_off": 20, "amount_off": "5"}},
                  {"TWENTY": {"percent_off": 20, "duration": "sometimes"}}, ["TWENTY"], "not json"):
        response = acme_owner.post("/api/v1/imports/", {"file": SimpleUploadedFile(EXPORT, export()),
                                                        "coupons": json.dumps(wrong) if wrong != "not json"
                                                        else wrong}, format="multipart")
        assert response.status_code == 400 and "coupons" in response.json(), (wrong, response.content)


def test_the_page_asks_for_the_coupons_values_once_without_javascript(in_acme):
    browser = browser_for(in_acme, in_acme.owner_email)
    # Import at once: the export has coupons nobody valued, so the preview asks first.
    response = browser.post("/imports/", {"kind": "", "file": SimpleUploadedFile(EXPORT, export())})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-coupons" in page and DataImport.objects.count() == 0
    token = re.search(r'name="pending" value="([0-9a-f]{32})"', page).group(1)
    rows = dict(re.findall(r'name="coupon-(\d+)" value="([^"]*)"', page))
    typed = {"TWENTY": ("20", "percent_off", "forever"), "WELCOME": ("50", "percent_off", "once"),
             "FIFTEEN": ("15.00", "amount_off", "forever"), "MYSTERY": ("", "percent_off", "forever")}
    # Every input is sent, as a form does; MYSTERY is left empty.
    form = {"pending": token, "kind": "", "mapped_kind": "subscriptions", "on_error": "reject"}
    for number, coupon in rows.items():
        off, unit, duration = typed[coupon]
        form.update({f"coupon-{number}": coupon, f"coupon-off-{number}": off,
                     f"coupon-unit-{number}": unit, f"coupon-duration-{number}": duration})
    response = browser.post("/imports/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = DataImport.objects.get()
    assert set(record.coupons) == {"TWENTY", "WELCOME", "FIFTEEN"}
    connection.set_tenant(in_acme.tenant)
    running.run_import(import_id=str(record.pk))
    assert amounts()["sub_1"] == Decimal("80.00") and amounts()["sub_4"] == Decimal("35.00")
    assert january_mrr() == Decimal(395)
