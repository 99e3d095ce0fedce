"""docs/kpis.md, written from the registry so the page can never disagree with the
engine (``manage.py kpi_docs``; a test fails when the committed file is stale)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from metrics.kpis.registry import CATALOG, RESERVED_METRICS, Category

DOCS_PATH = Path(settings.BASE_DIR) / "docs" / "kpis.md"
HEADER = """# KPIs

Generated from `metrics/kpis/registry.py` by `manage.py kpi_docs`; do not edit by hand.
The definitions follow `../shared/spec/kpi-catalog.md`. Months are calendar months in
the tenant's timezone; money is in the tenant's reporting currency, converted at each
month's exchange rate (the latest earlier rate when a month has none). A KPI without
the data it needs, or whose formula would divide by zero, has no value and says why.
Benchmarks are context from the source articles, never the tenant's target.
"""


def render() -> str:
    lines = [HEADER]
    for category in Category:
        kpis = [kpi for kpi in CATALOG if kpi.category == category]
        if not kpis:
            continue
        lines += [f"## {category.value}", "", "| key | name | formula | unit | direction | benchmark |",
                  "|---|---|---|---|---|---|"]
        for kpi in kpis:
            benchmark = ""
            if kpi.benchmark:
                sources = "; ".join(f"*{source.title}*" for source in kpi.benchmark.sources)
                benchmark = f"{kpi.benchmark.band} ({sources})"
            lines.append(f"| `{kpi.key}` | {kpi.name} | {kpi.formula_text} | {kpi.unit} | "
                         f"{kpi.direction.value} | {benchmark} |")
        lines.append("")
    lines += ["## Custom metrics", "",
              "Every `metric_values` slug other than the reserved "
              + ", ".join(f"`{slug}`" for slug in sorted(RESERVED_METRICS))
              + " (and other than a key above) is a KPI of its own, keyed by its slug: per month the "
              "`last` value (default), the `sum` or the `avg` of the values dated in the month, "
              "as set for the metric, with the metric's unit and direction.", ""]
    return "\n".join(lines)
