"""The numbers a survey's answers make: pure functions, no database, so the survey
page, the API and the KPI engine (``nps`` inputs) compute them the same way."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.96
# Below this many scored answers the page says the figure is still uncertain.
UNCERTAIN_BELOW = 30


@dataclass(frozen=True)
class ScoreSummary:
    value: float | None
    margin: float | None
    answers: int

    @property
    def is_uncertain(self) -> bool:
        return self.answers < UNCERTAIN_BELOW


def score_group(survey_type: str, score: int | None) -> str | None:
    """NPS: detractors 0-6, passives 7-8, promoters 9-10. CSAT: unsatisfied 1-2,
    neutral 3, satisfied 4-5 (satisfied is what the ``csat`` KPI counts)."""
    if score is None:
        return None
    if survey_type == "nps":
        return "detractors" if score <= 6 else "passives" if score <= 8 else "promoters"
    return "unsatisfied" if score <= 2 else "neutral" if score == 3 else "satisfied"


GROUPS = {"nps": ("detractors", "passives", "promoters"),
          "csat": ("unsatisfied", "neutral", "satisfied")}
GROUP_SCORES = {
    "detractors": range(0, 7), "passives": range(7, 9), "promoters": range(9, 11),
    "unsatisfied": range(1, 3), "neutral": range(3, 4), "satisfied": range(4, 6),
}


def nps(*, promoters: int, passives: int, detractors: int) -> float | None:
    """% promoters - % detractors; None without answers (not zero: nobody said so)."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    return (promoters - detractors) / total * 100


def nps_margin(*, promoters: int, passives: int, detractors: int) -> float | None:
    """95 % margin of error of the NPS by the adjusted-Wald method: n' = n + 3,
    p = (promoters + 3/4) / n', d = (detractors + 3/4) / n',
    SE = sqrt((p + d - (p - d)^2) / n'), margin = 1.96 * SE * 100. Unlike the plain
    Wald interval it stays honest for small samples and extreme scores."""
    total = promoters + passives + detractors
    if total == 0:
        return None
    n_adj = total + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    variance = (p + d - (p - d) ** 2) / n_adj
    return Z_95 * math.sqrt(variance) * 100


def csat(*, satisfied: int, total: int) -> float | None:
    """Share of answers scoring 4 or 5, in percent."""
    if total == 0:
        return None
    return satisfied / total * 100


def csat_margin(*, satisfied: int, total: int) -> float | None:
    """95 % margin of the CSAT share by the adjusted-Wald (Agresti-Coull) method for a
    proportion: two successes and two failures added, so small samples are not
    reported as certain."""
    if total == 0:
        return None
    n_adj = total + 4
    p = (satisfied + 2) / n_adj
    return Z_95 * math.sqrt(p * (1 - p) / n_adj) * 100


def summarise(survey_type: str, counts: dict[int, int]) -> ScoreSummary:
    """The survey's score and margin from ``{score: answers}``."""
    answers = sum(counts.values())
    if survey_type == "nps":
        groups = {"promoters": 0, "passives": 0, "detractors": 0}
        for score, count in counts.items():
            groups[score_group("nps", score)] += count
        return ScoreSummary(nps(**groups), nps_margin(**groups), answers)
    satisfied = sum(count for score, count in counts.items() if score >= 4)
    return ScoreSummary(csat(satisfied=satisfied, total=answers),
                        csat_margin(satisfied=satisfied, total=answers), answers)
