"""KPI values as people read them, in the company's currency and number format."""

import pytest
from django.db import connection

from metrics.formatting import format_change, format_kpi


@pytest.mark.parametrize(("locale", "money", "small", "percent", "count"), [
    ("en-US", "€12,346", "€123.40", "4.3 %", "1,234,567"),
    ("de-DE", "12.346\u00a0€", "123,40\u00a0€", "4,3 %", "1.234.567"),
    ("fr-FR", "12\u202f346\u00a0€", "123,40\u00a0€", "4,3 %", "1\u202f234\u202f567"),
])
def test_values_follow_the_locale(locale, money, small, percent, count):
    assert format_kpi(12345.678, "money", currency="EUR", locale=locale) == money
    assert format_kpi(123.4, "money", currency="EUR", locale=locale) == small
    assert format_kpi(4.25, "percent", locale=locale) == percent  # half up, as people round
    assert format_kpi(1234567, "count", locale=locale) == count


def test_changes_are_signed_and_percentages_change_in_points():
    assert format_change(-1234.5, "money", currency="USD") == "−$1,235"
    assert format_change(0.5, "percent") == "+0.5 pts"
    assert format_change(0, "count") == "±0"
    assert format_kpi(None, "money") == "—"
    assert format_kpi(3.456, "ratio") == "3.46×"
    assert format_kpi(12.04, "hours") == "12.0 h"


def test_an_unknown_locale_falls_back_to_english():
    assert format_kpi(1500, "money", currency="USD", locale="xx-YY") == "$1,500"


def test_the_dashboard_writes_numbers_in_the_companys_format(owner, march):
    tenant = march.tenant
    tenant.locale, tenant.currency = "de-DE", "EUR"
    tenant.save(update_fields=["locale", "currency"])
    try:
        page = owner.get("/kpis/mrr/?month=2025-03").content.decode()
        assert "130,00\u00a0€" in page and 'data-locale="de-DE" data-currency="EUR"' in page
    finally:
        tenant.locale, tenant.currency = "en-US", "USD"
        tenant.save(update_fields=["locale", "currency"])
        connection.set_schema_to_public()
