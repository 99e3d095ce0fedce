"""``filter=`` as api.md spells it: what is read, and what a person who mistyped is told."""

import pytest
from rest_framework.exceptions import ValidationError

from metrics.segments.filters import ATTRIBUTES, Condition, CustomerFilter, parse_filter


def message(text: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_filter(text, **kwargs)
    return str(caught.value.detail["filter"][0])


def test_plan_pro_and_country_de_or_fr_reads_as_two_conditions_all_of_which_hold():
    parsed = parse_filter("plan:pro,country:de|FR")
    assert parsed == CustomerFilter((Condition("plan", ("pro",)), Condition("country", ("DE", "FR"))))
    assert parsed.text == "plan:pro,country:DE|FR"


def test_no_filter_or_a_blank_one_is_everyone():
    assert not parse_filter(None) and not parse_filter("  ")


def test_an_unknown_attribute_is_refused_naming_every_known_one_and_the_extra_columns():
    text = message("colour:red", extra_attributes=["industry"])
    assert "'colour'" in text
    assert all(name in text for name in (*ATTRIBUTES, "industry"))


def test_an_extra_customer_column_is_a_known_attribute():
    assert parse_filter("industry:retail", extra_attributes=["industry"]).extra == (Condition("industry", ("retail",)),)


@pytest.mark.parametrize("text, says", [
    ("plan", "attribute:value1|value2"),
    (":pro", "attribute:value1|value2"),
    ("plan:", "empty value"),
    ("plan:pro|", "empty value"),
    ("plan:pro,plan:basic", "twice"),
    ("plan:p\x00ro", "NUL"),
    ("plan:" + "x" * 5000, "at most 2000"),
    (",".join(f"plan{i}:x" for i in range(30)), "at most 20"),
])
def test_a_malformed_filter_is_refused_saying_why(text, says):
    assert says in message(text)
