from django.db import connection
from django.shortcuts import render

from accounts.roles import member_required
from metrics.dashboard import build_dashboard
from metrics.kpis.periods import format_period
from metrics.kpis.window import window_from

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
    """The dashboard: KPI cards and charts for the chosen month (the latest with data
    by default), or the getting-started checklist while there is nothing to show."""
    window = window_from(request.GET, timezone=connection.tenant.timezone)
    dashboard = build_dashboard(window)
    return render(request, "metrics/home.html", {
        "dashboard": dashboard, "window": window, "steps": GETTING_STARTED,
        "query": f"month={format_period(window.month)}&range={window.range}" if window.month else "",
    }, status=400 if window.error else 200)
