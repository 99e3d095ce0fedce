from django.db import connection
from django.shortcuts import render

from accounts.roles import member_required
from metrics.dashboard import build_dashboard
from metrics.kpis.periods import BadPeriod, parse_period

# What a brand-new company should do first, in order.
GETTING_STARTED = [
    ("customers", "Import your customers", "who they are, where they came from"),
    ("subscriptions", "Import subscriptions", "for MRR, churn, retention and LTV"),
    ("invoices", "Import invoices", "for revenue, orders and gross margin"),
    ("expenses", "Import expenses", "for CAC, burn and runway"),
    ("traffic", "Import web traffic and leads", "for conversion rates"),
    ("tickets", "Import support tickets", "for response and resolution times"),
]


@member_required
def home(request):
    """The dashboard: KPI cards for the chosen month (the latest with data by default),
    or the getting-started checklist while there is nothing to show."""
    tenant = connection.tenant
    month, error = None, ""
    if request.GET.get("month"):
        try:
            month = parse_period(request.GET["month"], name="month")
        except BadPeriod as exc:
            error = str(exc)
    dashboard = build_dashboard(timezone=tenant.timezone, month=month)
    return render(request, "metrics/home.html", {
        "dashboard": dashboard, "steps": GETTING_STARTED, "currency": tenant.currency, "month_error": error,
    })
