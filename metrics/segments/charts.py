"""The segments page's chart (``/kpis/<key>/segments/chart/``): segment A and B over
the months the page's table shows, one line each, on the KPI's unit. Built on the KPI
charts' view (metrics/kpis/charts.py) and read from selectors.side_by_side, as the
table and the CSV are, so the three never disagree and the segment's figures come from
the one cached computation per filter (no second computation for the chart)."""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework.exceptions import ValidationError

from metrics.kpis import selectors as kpi_selectors
from metrics.kpis.charts import SERIES_COLOURS, MemberChartView
from metrics.months import format_period
from metrics.segments import selectors
from metrics.segments.bar import message
from metrics.segments.engine import CANNOT_FOLLOW

# B dashed as well as coloured: the two lines stay apart without colour.
SIDE_STYLE = {"filter": {}, "compare": {"borderDash": [6, 4]}}


class SegmentsChartView(MemberChartView):
    """``?filter=`` (A) and ``?compare=`` (B) as the page takes them; a wrong one is a
    400 saying why. A side whose filter the KPI cannot follow is drawn empty and its
    label says so (the page shows a note in its place)."""

    def get(self, request, *args, **kwargs):
        self.kpi = kpi_selectors.kpi_or_404(kwargs["key"])
        try:
            self.compared = selectors.side_by_side(self.kpi, request.GET)
        except ValidationError as exc:
            return JsonResponse({"detail": message(exc)}, status=400)
        return super().get(request, *args, **kwargs)

    def get_labels(self):
        return [format_period(month) for month in self.compared["months"]]

    def axes(self):
        return {"y": {"unit": self.kpi.unit, "position": "left"}}

    def series(self):
        lines = []
        for index, side in enumerate(self.compared["sides"]):
            chosen = side["filter"].text if side["filter"] else "every customer"
            label = f"{side['label']}: {chosen}" + (f" ({CANNOT_FOLLOW})" if side["cannot_follow"] else "")
            colour = SERIES_COLOURS[index]
            values = [point["value"] for point in side.get("points", [])]
            lines.append((label, values, {"type": "line", "yAxisID": "y", "borderColor": colour,
                                          "backgroundColor": colour, "spanGaps": True, "kpi": self.kpi.key,
                                          "unit": self.kpi.unit, **SIDE_STYLE[side["param"]]}))
        return lines
