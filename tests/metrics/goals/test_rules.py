from datetime import date
from decimal import Decimal

from metrics.goals.rules import goal_title, smart_errors

TODAY = date(2026, 11, 22)
GOOD = {"kpi_known": True, "kpi_has_data": True, "target": Decimal("4"), "baseline": Decimal("6"),
        "start_date": TODAY, "deadline": date(2027, 3, 31), "today": TODAY}


def fields(**changes) -> list[str]:
    return [field for field, _ in smart_errors(**{**GOOD, **changes})]


def test_a_specific_measurable_time_bound_goal_passes():
    assert smart_errors(**GOOD) == []


def test_each_broken_rule_names_its_field():
    assert fields(kpi_known=False) == ["kpi"]
    assert fields(target=None) == ["target_value"]
    assert fields(target=Decimal("6.0")) == ["target_value"]
    assert fields(deadline=None) == ["deadline"]
    assert fields(deadline=TODAY) == ["deadline", "deadline"]  # not after start, not future
    assert fields(deadline=date(2031, 11, 23)) == ["deadline"]
    assert fields(deadline=date(2031, 11, 22)) == []
    assert fields(start_date=date(2027, 4, 1)) == ["deadline"]


def test_baseline_is_required_when_the_kpi_has_no_value_for_the_start_month():
    # The services fill the baseline in from the start month's value when there is one;
    # none left means no value there (issue 16: it was let through and answered 500).
    assert fields(baseline=None, kpi_has_data=False) == ["baseline_value"]
    assert fields(baseline=None, kpi_has_data=True) == ["baseline_value"]
    no_data, no_start_value = (dict(smart_errors(**{**GOOD, "baseline": None, "kpi_has_data": has_data,
                                                    "latest_valued_month": date(2026, 8, 1)}))["baseline_value"]
                               for has_data in (False, True))
    assert "no data yet" in no_data
    assert no_start_value.startswith("This KPI has no value for October 2026, the month the goal starts from")
    assert "the latest month before it with a value is August 2026" in no_start_value


def test_messages_say_which_smart_letter_and_how_to_fix():
    message = dict(smart_errors(**{**GOOD, "deadline": date(2026, 1, 1)}))["deadline"]
    assert message.startswith("Time-bound")


def test_title_reads_like_the_spec_example():
    assert goal_title(kpi_name="Customer churn rate", unit="percent", target=Decimal("4"),
                      baseline=Decimal("6"), deadline=date(2027, 3, 31)) == \
        "Reduce customer churn rate to 4 % by 31 Mar 2027"
    assert goal_title(kpi_name="MRR", unit="money", target=Decimal("50000.00"), baseline=1000,
                      deadline=date(2027, 1, 5), currency="EUR") == "Increase MRR to EUR 50,000 by 5 Jan 2027"
    assert goal_title(kpi_name="Average resolution hours", unit="hours", target=2.5, baseline=6,
                      deadline=date(2027, 6, 30)) == "Reduce average resolution hours to 2.5 h by 30 Jun 2027"
