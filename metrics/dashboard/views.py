import dataclasses
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.roles import member_required
from metrics.dashboard import ranges, selectors, services
from metrics.dashboard.cards import build_dashboard, cards_cache_key, open_goals
from metrics.dashboard.layout import HEADLINES, arrange
from metrics.dashboard.ranges import MonthSpan
from metrics.dashboard.segment import segment_values
from metrics.kpis.registry import Category, find_kpi, tenant_kpis
from metrics.kpis.window import Window, window_from
from metrics.months import format_period
from metrics.segments.bar import FilterBar, filter_bar, filter_query, kept_params
from metrics.segments.filters import EVERYONE, CustomerFilter

# What a brand-new company should do first, in order.
GETTING_STARTED = [
    ("customers", "Import your customers", "who they are, where they came from"),
    ("subscriptions", "Import subscriptions", "for MRR, churn, retention and LTV"),
    ("invoices", "Import invoices", "for revenue, orders and gross margin"),
    ("expenses", "Import expenses", "for CAC, burn and runway"),
    ("traffic", "Import web traffic and leads", "for conversion rates"),
    ("tickets", "Import support tickets", "for response and resolution times"),
]
# The rendered cards change only with a recompute, a goal's status, the number
# format or the person's layout, all in the cache key; the expiry just bounds what old
# versions keep.
CARDS_CACHE_SECONDS = 24 * 3600


def dashboard_window(request) -> Window:
    """The months the dashboard shows: as the KPI pages (metrics/kpis/window.py), except
    that without ``?month=`` it opens on the month under way when it has data, marked
    partial, so today's numbers (a survey answered this morning) show at once."""
    window = window_from(request.GET, timezone=connection.tenant.timezone)
    under_way = window.month_under_way
    if (not request.GET.get("month") and window.month is not None and window.last_with_data
            and window.first_with_data and window.first_with_data <= under_way <= window.last_with_data):
        window = dataclasses.replace(window, month=under_way)
    return window


def company_today():
    return datetime.now(tz=connection.tenant.zone).date()


def chart_query(window: Window, span: MonthSpan | None, customer_filter: CustomerFilter = EVERYONE) -> str:
    """What the charts and links of the sections are given: the month (a range's
    last), how many months up to it, and the customer filter."""
    if span:
        return (f"month={format_period(span.last)}&range={'12' if len(span.months) <= 12 else '24'}"
                + filter_query(customer_filter))
    return (f"month={format_period(window.month)}&range={window.range}" + filter_query(customer_filter)
            if window.month else "")


# The months the filter bar keeps when a filter is applied or cleared.
KEPT_BY_THE_FILTER_BAR = ("month", "range", "from", "to")


def dashboard_parts(request, window: Window, span: MonthSpan | None = None,
                    customer_filter: CustomerFilter = EVERYONE) -> tuple[bool, str, str]:
    """The month picker and the sections as rendered HTML, once per version of what
    they show (cards_cache_key); of a segment, from its values (segment.py)."""
    tenant = connection.tenant
    query = chart_query(window, span, customer_filter)
    goals = open_goals()
    choices = selectors.card_choices(user=request.user)
    today = company_today()
    key = cards_cache_key(window, goals, locale=tenant.locale, currency=tenant.currency,
                          layout=selectors.layout_version(choices), business_model=tenant.business_model,
                          today=today, customer_filter=customer_filter) + (f":{span.query}" if span else "")
    cached = cache.get(key)
    if cached is None:
        segment = segment_values(customer_filter) if customer_filter else None
        dashboard = build_dashboard(window, goals, headline=selectors.headline_for(business_model=tenant.business_model),
                                    choices=choices, currency=tenant.currency, locale=tenant.locale,
                                    timezone=tenant.timezone, today=today, span=span, segment=segment)
        context = {"dashboard": dashboard, "window": window, "query": query, "span": span,
                   "action_query": (span.query + filter_query(customer_filter)) if span else query,
                   "filter_query": filter_query(customer_filter), "filtered": bool(customer_filter),
                   "filter_text": customer_filter.text,
                   # what the month picker keeps (the bar's text is not rendered here)
                   "bar": FilterBar(text=customer_filter.text, filter=customer_filter, error="")}
        cached = (dashboard.has_data,
                  str(render_to_string("metrics/kpis/_month_picker.html", context)),
                  str(render_to_string("metrics/dashboard/_sections.html", context, request=request)))
        cache.set(key, cached, CARDS_CACHE_SECONDS)
    return cached


@member_required
def home(request):
    """The dashboard: the headline row, then charts and KPI cards by group for the
    chosen month (the month to date by default), or the getting-started checklist
    while there is nothing to show. The month picker and the cards are rendered once
    per version of the stored values and of the person's layout."""
    window = dashboard_window(request)
    today = company_today()
    span, span_error = ranges.span_from(request.GET, today=today)
    bar: FilterBar = filter_bar(request)
    if bar.error:
        # A wrong filter shows no figures at all: the company's would pass for the
        # segment's (docs/decisions.md, "A filtered dashboard").
        has_data, month_picker, sections = window.month is not None, "", ""
    else:
        has_data, month_picker, sections = dashboard_parts(request, window, span, bar.filter)
    error = " ".join(filter(None, [window.error, span_error]))
    return render(request, "metrics/dashboard/home.html", {
        # rendered by our own templates
        "has_data": has_data, "month_picker": mark_safe(month_picker), "sections": mark_safe(sections),
        "window": window, "steps": GETTING_STARTED, "query": chart_query(window, span, bar.filter), "span": span,
        "error": error, "presets": ranges.presets(today=today),
        "range_months": list(reversed(window.months_with_data)),
        "bar": bar, "keep": kept_params(request, KEPT_BY_THE_FILTER_BAR), "filter_query": filter_query(bar.filter),
    }, status=400 if error or bar.error else 200)


@require_POST
@member_required
def change_card(request, key: str):
    """Pin, unpin, hide, show or move one card of the person's dashboard (htmx: the
    sections again; a plain form: back to the dashboard)."""
    kpi = find_kpi(key)
    action = request.POST.get("action", "")
    if kpi is None:
        raise Http404(f"No KPI {key!r}.")
    if action not in services.ACTIONS:
        return HttpResponse(f"action must be one of {', '.join(services.ACTIONS)}.", status=400,
                            content_type="text/plain")
    tenant = connection.tenant
    kpis = tenant_kpis()
    choices = selectors.card_choices(user=request.user)
    headline = selectors.headline_for(business_model=tenant.business_model)
    arrangement = arrange({category.value: [k.key for k in kpis if k.category == category] for category in Category},
                          headline_keys=HEADLINES[headline.model], choices=choices)
    row = next((keys for keys in [arrangement.headline, *arrangement.rows.values()] if key in keys), [])
    bar = filter_bar(request)
    if bar.error:
        return HttpResponse(bar.error, status=400, content_type="text/plain")
    services.change_card(user=request.user, kpi=key, action=action, row=row)
    window = dashboard_window(request)
    span, _ = ranges.span_from(request.GET, today=company_today())
    if not request.htmx:
        query = (span.query + filter_query(bar.filter) if span else chart_query(window, None, bar.filter)
                 if request.GET.get("month") else filter_query(bar.filter).lstrip("&"))
        return redirect("/" + (f"?{query}" if query else ""))
    return HttpResponse(dashboard_parts(request, window, span, bar.filter)[2])


@require_POST
@member_required
def reset_layout(request):
    """Back to the company's default arrangement."""
    services.reset_layout(user=request.user)
    return redirect("home")
