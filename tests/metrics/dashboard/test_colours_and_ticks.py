"""Breakdown bars coloured by the KPI's direction and chart axes with sensible ticks
(issue 17, item 7): the worst churn segment is not a full green bar, and NPS is not
"1, 1, 1, 0, 0, -0"."""

import json

from metrics.kpis.charts import axis_ticks

HTMX = {"HTTP_HX_REQUEST": "true"}


def meters(html: str) -> list[str]:
    return [chunk.split(">", 1)[0] for chunk in html.split("<meter")[1:]]


def test_lower_is_better_breakdown_bars_turn_red_at_the_worst_and_higher_is_better_stay_green(owner, march):
    churn = meters(owner.get("/kpis/customer_churn_rate/breakdown/?month=2025-03&by=segment", **HTMX)
                   .content.decode())
    assert churn and all('low="34" high="67" optimum="0"' in meter for meter in churn)
    assert any('value="100' in meter for meter in churn)  # the worst segment: in the red region
    mrr = meters(owner.get("/kpis/mrr/breakdown/?month=2025-03&by=segment", **HTMX).content.decode())
    assert mrr and all('optimum="100"' in meter and "low=" not in meter for meter in mrr)


def test_nps_and_counts_tick_in_whole_steps_and_percentages_in_tenths(owner, march):
    satisfaction = json.loads(owner.get("/charts/satisfaction/?month=2025-03").content)
    assert satisfaction["axes"]["y"]["unit"] == "score" and satisfaction["axes"]["y"]["ticks"] == {"precision": 0}
    assert satisfaction["axes"]["y1"]["ticks"] == {"precision": 1}  # CSAT, percent
    customers = json.loads(owner.get("/charts/customers/?month=2025-03").content)
    assert customers["axes"]["y"]["ticks"] == {"precision": 0}
    assert axis_ticks("ratio") == {"precision": 2} and axis_ticks("hours") == {"precision": 1}
