"""``{% benchmark_of kpi month as benchmark %}``: a KPI's benchmark band as the current
company reads it (metrics/kpis/benchmarks.py), for the KPI page; the dashboard builds
its cards' bands with one rate query for all of them."""

from django import template

from metrics.kpis.benchmarks import rates_for, shown_benchmark

register = template.Library()


@register.simple_tag(takes_context=True)
def benchmark_of(context, kpi, month):
    if kpi.benchmark is None:
        return None
    tenant = context.get("current_tenant")
    currency = getattr(tenant, "currency", "USD") or "USD"
    locale = getattr(tenant, "locale", "en-US") or "en-US"
    return shown_benchmark(kpi, currency=currency, locale=locale,
                           rates=rates_for([kpi], currency=currency, month=month))
