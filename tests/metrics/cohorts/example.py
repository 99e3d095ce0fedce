"""The worked example of docs/cohorts.md, as rows: the January 2025 cohort (A, B, C, D
at $100 a month; B leaves in February and comes back in April, C expands to $150 in
February, D contracts to $60 in March) and the February cohort (E at $200)."""

from __future__ import annotations

from datetime import date

from tests.metrics.kpis.builders import customer, subscription

JAN, FEB, MAR, APR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)


def build() -> dict[str, object]:
    people = {name: customer(name=name, signup_date=date(2024, 12, 20) if name in "AB" else date(2025, 1, 2))
              for name in "ABCDE"}
    subscription(people["A"], date(2025, 1, 5))
    subscription(people["B"], date(2025, 1, 10), date(2025, 2, 10))  # gone at the end of February
    subscription(people["B"], date(2025, 4, 5))                      # back in April: still January's
    subscription(people["C"], date(2025, 1, 15))
    subscription(people["C"], date(2025, 2, 1), amount="50")         # expansion to $150
    subscription(people["D"], date(2025, 1, 20), date(2025, 3, 1))
    subscription(people["D"], date(2025, 3, 1), amount="60")         # contraction to $60
    subscription(people["E"], date(2025, 2, 3), amount="200")
    return people
