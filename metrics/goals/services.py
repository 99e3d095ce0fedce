"""Goal operations: create, change and archive (the SMART rules and who may do what
enforced here), and record each month's evaluation with its status changes. Views,
the API and the Celery jobs call these; reads are in metrics.goals.selectors."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import ADMIN_ROLES, has_role
from metrics.formatting import rounded
from metrics.goals import evaluation as ev
from metrics.goals.notifications import notify_status_change
from metrics.goals.rules import goal_title, smart_errors
from metrics.goals.selectors import evaluate_goal, kpi_series, series_by_kpi, terms_of
from metrics.kpis.registry import Kpi, find_kpi
from metrics.models import Goal, GoalEvaluation, GoalStatusChange
from metrics.months import period_of


def can_change(user, goal: Goal) -> bool:
    """Members change their own goals; owners and admins every goal."""
    return has_role(user, *ADMIN_ROLES) or goal.owner_id == user.pk


def ensure_can_change(user, goal: Goal) -> None:
    """Refuse before anything else is looked at: the pages and the API call this first,
    so someone who may not change the goal learns that, not what their input lacked."""
    if not can_change(user, goal):
        raise PermissionDenied("Members can change only their own goals.")


def may_own(by, owner) -> bool:
    """Members set goals for themselves; owners and admins give a goal to any member."""
    return owner is None or owner.pk == by.pk or has_role(by, *ADMIN_ROLES)


def _refuse_unless_may_own(by, owner) -> None:
    if not may_own(by, owner):
        raise PermissionDenied("Members set goals for themselves; ask an admin to assign one.")


def _raise_for(errors: list[tuple[str, str]]) -> None:
    if errors:
        grouped: dict[str, list[str]] = {}
        for field, message in errors:
            grouped.setdefault(field, []).append(message)
        raise ValidationError(grouped)


def _settle(*, kpi_key: str, target: Decimal | None, baseline: Decimal | None,
            start_date: date, deadline: date | None, today: date, series: dict) -> Decimal | None:
    """Check the SMART rules; return the baseline (given, or the KPI at the start)."""
    kpi = find_kpi(kpi_key)
    if baseline is None and kpi is not None:
        stored = series.get(period_of(start_date))
        baseline = Decimal(str(stored)) if stored is not None else None
    valued = [month for month, value in series.items() if value is not None]
    _raise_for(smart_errors(kpi_known=kpi is not None, kpi_has_data=bool(valued),
                            target=target, baseline=baseline, start_date=start_date,
                            deadline=deadline, today=today,
                            latest_valued_month=max((m for m in valued if m < period_of(start_date)),
                                                    default=None)))
    return baseline


def direction_warning(kpi: Kpi | None, *, baseline, target) -> str:
    """goals.md allows a goal against the KPI's own direction ("increase churn") with a
    warning: this is it, or "" when the goal goes the KPI's good way."""
    if kpi is None or baseline is None or target is None or Decimal(str(target)) == Decimal(str(baseline)):
        return ""
    wants_up = Decimal(str(target)) > Decimal(str(baseline))
    if wants_up == (kpi.direction == "up"):
        return ""
    better, moves = ("higher", "lowers") if kpi.direction == "up" else ("lower", "raises")
    return (f"Against the KPI's direction: a {better} {kpi.name[:1].lower() + kpi.name[1:]} is better, "
            f"and this goal {moves} it (from {_plain(baseline)} to {_plain(target)}). "
            "It is allowed; check the target is what you mean.")


def _plain(value) -> str:
    return f"{rounded(value, 2).normalize():f}"


def goal_warnings(goal: Goal, kpi: Kpi | None) -> list[str]:
    """What a person should know about a saved goal's terms (shown, never blocking);
    ``kpi`` is the goal's KPI, which the caller has at hand."""
    warning = direction_warning(kpi, baseline=goal.baseline_value, target=goal.target_value)
    return [warning] if warning else []


def achievability_of(goal: Goal, series: dict) -> str:
    return str(ev.achievability(terms_of(goal), series, period_of(goal.start_date)))


@dataclass(frozen=True)
class Preview:
    """What a goal would be, before it is saved: the form shows it as the person types."""

    errors: dict[str, list[str]]
    achievability: str = ""
    pace: ev.Pace | None = None
    baseline: Decimal | None = None
    unit: str = ""
    warning: str = ""


def preview_goal(*, kpi: str, target_value: Decimal | None, deadline: date | None,
                 start_date: date | None = None, baseline_value: Decimal | None = None,
                 today: date | None = None) -> Preview:
    today = today or timezone.localdate()
    start_date = start_date or today
    series = kpi_series(kpi)
    try:
        baseline = _settle(kpi_key=kpi, target=target_value, baseline=baseline_value,
                           start_date=start_date, deadline=deadline, today=today, series=series)
    except ValidationError as error:
        return Preview(errors=error.message_dict)
    terms = ev.GoalTerms(baseline=float(baseline), target=float(target_value), start_date=start_date,
                         deadline=deadline)
    period = period_of(start_date)
    definition = find_kpi(kpi)
    return Preview(errors={}, achievability=str(ev.achievability(terms, series, period)),
                   pace=ev.pace_against_history(terms, series, period), baseline=baseline,
                   unit=definition.unit,
                   warning=direction_warning(definition, baseline=baseline, target=target_value))


@transaction.atomic
def create_goal(*, by, kpi: str, target_value: Decimal | None, deadline: date | None,
                start_date: date | None = None, baseline_value: Decimal | None = None,
                title: str = "", why: str = "", owner=None, today: date | None = None) -> Goal:
    """``by`` sets the goal; it is theirs unless an owner or admin gives it to ``owner``."""
    _refuse_unless_may_own(by, owner)
    today = today or timezone.localdate()
    start_date = start_date or today
    series = kpi_series(kpi)
    baseline = _settle(kpi_key=kpi, target=target_value, baseline=baseline_value,
                       start_date=start_date, deadline=deadline, today=today, series=series)
    definition = find_kpi(kpi)
    goal = Goal(kpi=kpi, target_value=target_value, baseline_value=baseline, start_date=start_date,
                deadline=deadline, why=why, owner=owner or by, created_by=by)
    goal.title = title.strip() or goal_title(
        kpi_name=definition.name, unit=definition.unit, target=target_value, baseline=baseline,
        deadline=deadline, currency=getattr(connection.tenant, "currency", ""))
    goal.achievability = achievability_of(goal, series)
    goal.save()
    record_evaluation(goal, as_of=today, series=series)
    return goal


EDITABLE = ("title", "target_value", "baseline_value", "deadline", "why", "owner")


@transaction.atomic
def update_goal(goal: Goal, *, by, today: date | None = None, **changes) -> Goal:
    """``by`` changes what may change; the same SMART rules apply, and only owners and
    admins give a goal to someone else."""
    ensure_can_change(by, goal)
    _refuse_unless_may_own(by, changes.get("owner"))
    today = today or timezone.localdate()
    for field, value in changes.items():
        if field in EDITABLE:
            setattr(goal, field, value)
    series = kpi_series(goal.kpi)
    errors = smart_errors(kpi_known=find_kpi(goal.kpi) is not None, kpi_has_data=True,
                          target=goal.target_value, baseline=goal.baseline_value,
                          start_date=goal.start_date, deadline=goal.deadline, today=today)
    # An unchanged deadline may have passed by now; it is judged only when it changes.
    _raise_for([(field, message) for field, message in errors
                if field != "deadline" or "deadline" in changes])
    goal.achievability = achievability_of(goal, series)
    goal.save()
    record_evaluation(goal, as_of=today, series=series)
    return goal


def archive_goal(goal: Goal, *, by) -> None:
    if not can_change(by, goal):
        raise PermissionDenied("Members can archive only their own goals.")
    goal.archived_at = timezone.now()
    goal.save(update_fields=["archived_at", "updated_at"])


@transaction.atomic
def record_evaluation(goal: Goal, *, as_of: date, series: dict | None = None) -> ev.Evaluation:
    """Store the evaluation for its period (upsert: re-running is harmless) and record a
    status change when the status moved. Returns the evaluation."""
    result = evaluate_goal(goal, as_of=as_of, series=series)
    GoalEvaluation.objects.update_or_create(
        goal=goal, period=result.period,
        defaults={"current_value": result.current_value, "time_elapsed_pct": result.time_elapsed_pct,
                  "progress_pct": result.progress_pct, "status": str(result.status),
                  "forecast_value": result.forecast_value, "probability": result.probability,
                  "evaluated_at": timezone.now()})
    if goal.status != result.status:
        previous, current = goal.status, str(result.status)
        GoalStatusChange.objects.create(goal=goal, from_status=previous, to_status=current,
                                        period=result.period, changed_at=timezone.now())
        Goal.objects.filter(pk=goal.pk).update(status=current)
        goal.status = current
        if previous:  # the first evaluation of a new goal is not news
            transaction.on_commit(lambda: notify_status_change(
                goal, from_status=previous, to_status=current))
    return result


def evaluate_open_goals(*, as_of: date | None = None) -> int:
    """Re-evaluate every goal that is not archived (after a recompute, and daily)."""
    as_of = as_of or timezone.localdate()
    goals = list(Goal.objects.filter(archived_at__isnull=True).select_related("owner"))
    series = series_by_kpi({goal.kpi for goal in goals})
    for goal in goals:
        record_evaluation(goal, as_of=as_of, series=series[goal.kpi])
    return len(goals)


def evaluation_payload(result: ev.Evaluation) -> dict:
    payload = asdict(result)
    payload["period"] = result.period.strftime("%Y-%m")
    payload["status"] = str(result.status)
    return payload
