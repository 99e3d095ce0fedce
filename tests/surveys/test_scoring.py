"""The figures a survey's answers make, including the small-sample margin."""

import pytest

from surveys import scoring


def test_the_spec_margin_example_30_answers_15_promoters_5_detractors():
    counts = {10: 15, 8: 10, 3: 5}
    summary = scoring.summarise("nps", counts)
    assert summary.answers == 30
    assert summary.value == pytest.approx(33.333, abs=0.01)
    assert summary.margin == pytest.approx(25.5, abs=0.1)  # "about 25"
    assert not summary.is_uncertain


def test_fewer_than_30_answers_are_flagged_uncertain():
    assert scoring.summarise("nps", {9: 29}).is_uncertain
    assert not scoring.summarise("nps", {9: 30}).is_uncertain


def test_catalog_example_nps_is_10():
    assert scoring.nps(promoters=200, passives=150, detractors=150) == pytest.approx(10)


def test_catalog_example_csat_is_75_percent():
    summary = scoring.summarise("csat", {5: 100, 4: 50, 2: 50})
    assert summary.value == pytest.approx(75)
    assert 0 < summary.margin < 10


def test_no_answers_means_no_score_rather_than_zero():
    assert scoring.summarise("nps", {}).value is None
    assert scoring.summarise("nps", {}).margin is None


def test_the_margin_never_collapses_to_zero_on_unanimous_small_samples():
    # The plain Wald interval would say 100 +/- 0 for three promoters.
    assert scoring.nps_margin(promoters=3, passives=0, detractors=0) > 20


@pytest.mark.parametrize(("kind", "score", "group"), [
    ("nps", 0, "detractors"), ("nps", 6, "detractors"), ("nps", 7, "passives"),
    ("nps", 8, "passives"), ("nps", 9, "promoters"), ("nps", 10, "promoters"),
    ("csat", 1, "unsatisfied"), ("csat", 3, "neutral"), ("csat", 4, "satisfied"),
])
def test_score_groups(kind, score, group):
    assert scoring.score_group(kind, score) == group
