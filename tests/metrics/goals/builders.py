"""What the goal tests build on: the month it is, and a churn rate history."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from metrics.goals import services
from metrics.models import Goal, KpiValue
from metrics.months import add_months, month_of

THIS_MONTH = month_of(timezone.localdate())


def churn(month: date, value: float) -> None:
    KpiValue.objects.update_or_create(kpi="customer_churn_rate", month=month,
                                      defaults={"value": Decimal(str(value)), "computed_at": timezone.now()})


def churn_history(months: int) -> None:
    """The churn rate of the ``months`` months before this one, falling towards now
    (6.2 %, 6.4 % ... going back)."""
    KpiValue.objects.bulk_create([
        KpiValue(kpi="customer_churn_rate", month=add_months(THIS_MONTH, -back),
                 value=Decimal(str(6.0 + 0.2 * back)), computed_at=timezone.now())
        for back in range(1, months + 1)])


def make_goal(owner) -> Goal:
    """A churn goal (6 % down to 4 % in six months) set by ``owner`` on six months of history."""
    for back in range(1, 7):
        churn(add_months(THIS_MONTH, -back), 6.0 + 0.1 * back)
    return services.create_goal(by=owner, kpi="customer_churn_rate", target_value=Decimal("4"),
                                deadline=add_months(THIS_MONTH, 6).replace(day=28))
