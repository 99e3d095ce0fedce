"""``{% kpi_value value unit %}`` and ``{% kpi_change value unit %}``: a KPI value in
the current company's currency and number format (metrics/formatting.py)."""

from django import template

from metrics import formatting

register = template.Library()


def _tenant_format(context) -> dict:
    tenant = context.get("current_tenant")
    return {"currency": getattr(tenant, "currency", "USD") or "USD",
            "locale": getattr(tenant, "locale", "en-US") or "en-US"}


@register.simple_tag(takes_context=True)
def kpi_value(context, value, unit: str) -> str:
    return formatting.format_kpi(value, unit, **_tenant_format(context))


@register.simple_tag(takes_context=True)
def kpi_change(context, value, unit: str) -> str:
    return formatting.format_change(value, unit, **_tenant_format(context))
