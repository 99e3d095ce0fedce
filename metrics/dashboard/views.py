from django.core.cache import cache
from django.db import connection
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from accounts.roles import member_required
from metrics.dashboard.cards import build_dashboard, cards_cache_key, open_goals
from metrics.months import format_period
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
# The rendered cards change only with a recompute, a goal's status or the number
# format, all in the cache key; the expiry just bounds what old versions keep.
CARDS_CACHE_SECONDS = 24 * 3600


@member_required
def home(request):
    """The dashboard: charts and KPI cards for the chosen month (the latest complete
    month with data by default), or the getting-started checklist while there is
    nothing to show. The month picker and the cards are rendered once per version of
    the stored values."""
    tenant = connection.tenant
    window = window_from(request.GET, timezone=tenant.timezone)
    query = f"month={format_period(window.month)}&range={window.range}" if window.month else ""
    goals = open_goals()
    key = cards_cache_key(window, goals, locale=tenant.locale, currency=tenant.currency)
    cached = cache.get(key)
    if cached is None:
        dashboard = build_dashboard(window, goals)
        context = {"dashboard": dashboard, "window": window, "query": query}
        cached = (dashboard.has_data,
                  str(render_to_string("metrics/kpis/_month_picker.html", context)),
                  str(render_to_string("metrics/dashboard/_sections.html", context, request=request)))
        cache.set(key, cached, CARDS_CACHE_SECONDS)
    has_data, month_picker, sections = cached
    return render(request, "metrics/dashboard/home.html", {
        # rendered by our own templates
        "has_data": has_data, "month_picker": mark_safe(month_picker), "sections": mark_safe(sections),
        "window": window, "steps": GETTING_STARTED, "query": query,
    }, status=400 if window.error else 200)
