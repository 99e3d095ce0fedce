"""The goal evaluation rules of goals.md, one behaviour per test, without a database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.goals.evaluation import (
    Achievability, GoalTerms, Status, achievability, evaluate, fit_line, time_elapsed_pct,
)
from metrics.months import period_of


def months(*pairs):
    return {date(year, month, 1): value for (year, month), value in pairs}


CHURN_DOWN = GoalTerms(baseline=6.0, target=4.0, start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))
MRR_UP = GoalTerms(baseline=100.0, target=200.0, start_date=date(2026, 1, 1), deadline=date(2026, 12, 31))


def test_period_is_the_latest_complete_month():
    assert period_of(date(2026, 3, 31)) == date(2026, 3, 1)
    assert period_of(date(2026, 3, 30)) == date(2026, 2, 1)
    assert period_of(date(2026, 1, 5)) == date(2025, 12, 1)


def test_time_elapsed_is_measured_at_the_end_of_the_period_and_bounded():
    assert time_elapsed_pct(MRR_UP, date(2025, 6, 1)) == 0
    assert time_elapsed_pct(MRR_UP, date(2027, 6, 1)) == 100
    halfway = time_elapsed_pct(MRR_UP, date(2026, 7, 1))  # period June, ends 30 June
    assert halfway == pytest.approx((date(2026, 6, 30) - date(2026, 1, 1)).days / 364 * 100)


def test_current_value_meeting_target_is_achieved_even_early():
    result = evaluate(MRR_UP, months(((2026, 2), 210.0)), as_of=date(2026, 3, 10))
    assert result.status == Status.ACHIEVED
    assert result.current_value == 210.0


def test_progress_keeping_pace_within_ten_points_is_on_track():
    # June ended: ~49.5 % of the time; progress 40 % is within 10 points.
    series = months(((2026, 6), 140.0))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    assert result.progress_pct == pytest.approx(40.0)
    assert result.status == Status.ON_TRACK


def test_on_pace_but_the_forecast_misses_is_at_risk_not_on_track():
    # A good start (60 % done at 49.5 % of the time) that has stalled: the line through
    # the last months stays short of 200 by December.
    series = months(((2026, 3), 158.0), ((2026, 4), 159.0), ((2026, 5), 159.5), ((2026, 6), 160.0))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    assert result.progress_pct >= result.time_elapsed_pct - 10
    assert result.forecast_value < 200
    assert result.status == Status.AT_RISK


def test_on_pace_with_a_forecast_that_meets_the_target_is_on_track():
    series = months(((2026, 4), 120.0), ((2026, 5), 130.0), ((2026, 6), 140.0))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    assert result.forecast_value >= 200
    assert result.status == Status.ON_TRACK


def test_behind_pace_with_no_forecast_yet_is_at_risk():
    # One month of data: no line to read, which counts as on trend (goals.md, rule 3).
    result = evaluate(MRR_UP, months(((2026, 6), 110.0)), as_of=date(2026, 6, 30))
    assert result.forecast_value is None
    assert result.status == Status.AT_RISK


@given(st.floats(-50, 150), st.one_of(st.none(), st.floats(0, 400)))
def test_on_track_always_has_both_pace_and_trend(progress_value, forecast):
    # Whatever the numbers: a goal reported on track is on pace and its forecast, when
    # there is one, meets the target.
    series = months(((2026, 6), 100.0 + progress_value))
    if forecast is not None:
        series.update(months(((2026, 4), 100.0 + progress_value - 2 * (forecast - 100.0 - progress_value) / 6),
                             ((2026, 5), 100.0 + progress_value - (forecast - 100.0 - progress_value) / 6)))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    if result.status == Status.ON_TRACK:
        assert result.progress_pct >= result.time_elapsed_pct - 10
        assert result.forecast_value is None or result.forecast_value >= 200


def test_behind_pace_but_forecast_reaches_target_is_at_risk():
    # A dip after the start, then steep growth: 39 % done at 49.5 % of the time, and
    # the trend (about +10.6 a month) reaches 200 by December.
    series = months(((2026, 1), 86.0), ((2026, 2), 95.0), ((2026, 3), 105.0),
                    ((2026, 4), 116.0), ((2026, 5), 127.0), ((2026, 6), 139.0))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    assert result.status == Status.AT_RISK
    assert result.forecast_value >= 200


def test_behind_pace_and_forecast_short_is_off_track():
    series = months(((2026, 4), 101.0), ((2026, 5), 102.0), ((2026, 6), 103.0))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    assert result.status == Status.OFF_TRACK
    assert result.forecast_value == pytest.approx(109.0)


def test_after_the_deadline_the_deadline_month_decides():
    series = months(((2026, 12), 199.0), ((2027, 1), 250.0))
    assert evaluate(MRR_UP, series, as_of=date(2027, 2, 1)).status == Status.MISSED
    series[date(2026, 12, 1)] = 200.0
    assert evaluate(MRR_UP, series, as_of=date(2027, 2, 1)).status == Status.ACHIEVED


def test_decreasing_goal_meets_target_from_above():
    assert evaluate(CHURN_DOWN, months(((2026, 5), 3.9)), date(2026, 5, 31)).status == Status.ACHIEVED
    on_pace = evaluate(CHURN_DOWN, months(((2026, 5), 5.2)), date(2026, 5, 31))
    assert on_pace.progress_pct == pytest.approx(40.0)
    assert on_pace.status == Status.ON_TRACK
    after = evaluate(CHURN_DOWN, months(((2026, 12), 4.5)), date(2027, 1, 2))
    assert after.status == Status.MISSED


def test_kpi_without_data_yet_is_at_risk_with_nothing_to_forecast():
    # No value: not on pace; no forecast yet: on trend (goals.md, rule 3). One of the two
    # is at risk (rule 4), as a goal waiting for its first month of data is.
    result = evaluate(MRR_UP, {}, as_of=date(2026, 6, 30))
    assert result.current_value is None and result.progress_pct is None
    assert result.forecast_value is None and result.probability is None
    assert result.status == Status.AT_RISK


def test_null_months_are_left_out_of_the_forecast():
    series = months(((2026, 1), 100.0), ((2026, 2), None), ((2026, 3), 110.0),
                    ((2026, 4), None), ((2026, 5), 120.0), ((2026, 6), None))
    result = evaluate(MRR_UP, series, as_of=date(2026, 6, 30))
    assert result.current_value is None  # June has no value
    assert result.forecast_value == pytest.approx(155.0)  # +5 per month: 125 in June, 155 in December
    assert result.probability is None  # three points only


def test_forecast_needs_three_points_and_probability_four():
    two = months(((2026, 5), 100.0), ((2026, 6), 110.0))
    assert evaluate(MRR_UP, two, date(2026, 6, 30)).forecast_value is None
    three = {**two, date(2026, 4, 1): 90.0}
    result = evaluate(MRR_UP, three, date(2026, 6, 30))
    assert result.forecast_value == pytest.approx(170.0)
    assert result.probability is None
    four = {**three, date(2026, 3, 1): 81.0}
    assert 0 <= evaluate(MRR_UP, four, date(2026, 6, 30)).probability <= 100


def test_probability_is_high_on_a_clean_rising_trend_and_low_on_a_flat_one():
    rising = months(*[((2026, m), 100.0 + 20 * m + (1 if m % 2 else -1)) for m in range(1, 7)])
    flat = months(*[((2026, m), 100.0 + (1 if m % 2 else -1)) for m in range(1, 7)])
    assert evaluate(MRR_UP, rising, date(2026, 6, 30)).probability > 95
    assert evaluate(MRR_UP, flat, date(2026, 6, 30)).probability < 5


def test_history_has_one_point_per_month_with_the_pace_line():
    result = evaluate(MRR_UP, months(((2026, 1), 105.0), ((2026, 3), 130.0)), date(2026, 3, 31))
    assert [point["period"] for point in result.history] == ["2026-01", "2026-02", "2026-03"]
    assert result.history[1]["actual"] is None
    assert result.history[0]["pace"] == pytest.approx(100 + 100 * 30 / 364)


def test_achievability_compares_needed_change_with_history():
    steady = months(*[((2025, m), 100.0 + 10 * m) for m in range(1, 13)])  # +10 per month
    terms = GoalTerms(baseline=220.0, target=260.0, start_date=date(2026, 1, 1), deadline=date(2026, 4, 30))
    assert achievability(terms, steady, date(2025, 12, 1)) == Achievability.REALISTIC
    noisy = months(*[((2025, m), 100.0 + 10 * m + (8 if m % 2 else -8)) for m in range(1, 13)])
    ambitious = GoalTerms(baseline=220.0, target=300.0, start_date=date(2026, 1, 1), deadline=date(2026, 4, 30))
    assert achievability(ambitious, noisy, date(2025, 12, 1)) == Achievability.AMBITIOUS
    wild = GoalTerms(baseline=220.0, target=2000.0, start_date=date(2026, 1, 1), deadline=date(2026, 4, 30))
    assert achievability(wild, steady, date(2025, 12, 1)) == Achievability.UNREALISTIC
    short = months(((2025, 11), 1.0), ((2025, 12), 2.0))
    assert achievability(terms, short, date(2025, 12, 1)) == Achievability.UNKNOWN


def test_achievability_of_a_decreasing_goal_uses_the_goals_direction():
    falling = months(*[((2025, m), 10.0 - 0.5 * m) for m in range(1, 13)])  # -0.5 per month
    terms = GoalTerms(baseline=4.0, target=3.0, start_date=date(2026, 1, 1), deadline=date(2026, 4, 30))
    assert achievability(terms, falling, date(2025, 12, 1)) == Achievability.REALISTIC


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=3, max_size=6),
       st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
       st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_a_perfect_line_is_recovered_exactly(noise_free_ys, slope, intercept):
    points = [(x, intercept + slope * x) for x in range(-len(noise_free_ys) + 1, 1)]
    line = fit_line(points)
    assert line.slope == pytest.approx(slope, abs=1e-6)
    assert line.at(0) == pytest.approx(intercept, abs=1e-4)


@given(st.dictionaries(st.integers(min_value=0, max_value=23),
                       st.one_of(st.none(), st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)),
                       max_size=24),
       st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_evaluation_is_deterministic_and_bounded(raw, as_of):
    series = {date(2025 + i // 12, i % 12 + 1, 1): v for i, v in raw.items()}
    first, second = evaluate(MRR_UP, series, as_of), evaluate(MRR_UP, series, as_of)
    assert first == second
    assert 0 <= first.time_elapsed_pct <= 100
    assert first.probability is None or 0 <= first.probability <= 100
