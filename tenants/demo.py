"""The demo company a newcomer logs into after `make run`. Its login is printed at
start; it is a demonstration account, not a secret. Its sample data arrives with
the imports and KPI engine."""

from django.db import connection

from tenants.models import Tenant
from tenants.signup import sign_up

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.example"
DEMO_PASSWORD = "demo-kpihub-2026"


def ensure_demo_tenant() -> tuple[Tenant, bool]:
    connection.set_schema_to_public()
    existing = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if existing:
        return existing, False
    result = sign_up(company_name="Demo SaaS Co", slug=DEMO_SLUG, email=DEMO_EMAIL,
                     password=DEMO_PASSWORD, currency="USD", timezone="Europe/London")
    return result.tenant, True
