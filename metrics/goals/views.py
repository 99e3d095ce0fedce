"""Goal pages: thin adapters over metrics.goals.services and selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import member_required
from metrics.formatting import rounded
from metrics.goals import selectors, services
from metrics.goals.evaluation import Status
from metrics.goals.forms import GoalEditForm, GoalForm
from metrics.kpis.registry import find_kpi
from metrics.models import Goal
from metrics.months import period_of

STATUS_CHIP = {"achieved": "chip--ok", "on_track": "chip--ok", "at_risk": "chip--warn",
               "off_track": "chip--bad", "missed": "chip--bad"}


def _add_form_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@member_required
def goal_list(request):
    evaluated = selectors.open_goals(as_of=timezone.localdate(), kpi=request.GET.get("kpi", ""),
                                     owner=request.GET.get("owner", ""))
    rows = []
    for goal, result in selectors.with_status(evaluated, request.GET.get("status", "")):
        progress = max(0.0, min(result.progress_pct or 0.0, 100.0))
        rows.append({"goal": goal, "result": result, "progress": round(progress),
                     "status_label": result.status.label,
                     "pace": round(result.time_elapsed_pct), "chip": STATUS_CHIP[str(result.status)]})
    return render(request, "metrics/goals/list.html", {
        "rows": rows, "statuses": Status.choices(), "filters": request.GET,
        "owners": sorted({goal.owner.email for goal, _ in evaluated}),
        "kpis": selectors.kpis_with_goals(),
    })


@member_required
def goal_create(request):
    key = request.GET.get("kpi", "")
    initial = {"kpi": key}
    if key:  # pre-fill where the KPI stands now, the natural baseline
        current = selectors.kpi_series(key).get(period_of(timezone.localdate()))
        if current is not None:
            # As stored (10 places at most), not as people would round it: a rounded
            # baseline and the current value of the same month would disagree, and the
            # goal would start with progress it never made.
            initial["baseline_value"] = rounded(current, 10).normalize()
    form = GoalForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.create_goal(by=request.user, **{k: v for k, v in form.cleaned_data.items()
                                                              if v not in (None, "")})
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            if goal.achievability in ("ambitious", "unrealistic"):
                messages.warning(request, f"Heads-up: judging by the KPI's own history, this goal looks "
                                          f"{goal.achievability}. It is saved; you can adjust it any time.")
            messages.success(request, f"Goal set: {goal.title}")
            return redirect("goal-detail", pk=goal.pk)
    return render(request, "metrics/goals/form.html", {"form": form})


ACHIEVABILITY_TEXT = {
    "realistic": "Looks realistic: the KPI has moved this fast on its own.",
    "ambitious": "Ambitious: faster than the KPI usually moves, but within its ups and downs.",
    "unrealistic": "Looks unrealistic: far faster than the KPI has ever moved in a year.",
    "unknown": "Not enough history (three months or more) to judge how realistic it is.",
}


@member_required
@require_POST
def goal_preview(request):
    """htmx, as the goal form is filled in: the SMART rules it still breaks, or how
    realistic it looks against the KPI's own history. Saves nothing."""
    form = GoalForm(request.POST, user=request.user)
    form.is_valid()
    data = form.cleaned_data
    if not (data.get("kpi") and data.get("target_value") is not None and data.get("deadline")):
        return render(request, "metrics/goals/_preview.html", {"incomplete": True})
    preview = services.preview_goal(kpi=data["kpi"], target_value=data["target_value"],
                                    deadline=data["deadline"], start_date=data.get("start_date"),
                                    baseline_value=data.get("baseline_value"))
    return render(request, "metrics/goals/_preview.html", {
        "preview": preview, "verdict": ACHIEVABILITY_TEXT.get(preview.achievability, ""),
        "errors": [message for messages_ in preview.errors.values() for message in messages_]})


@member_required
def goal_detail(request, pk: int):
    goal = get_object_or_404(Goal.objects.select_related("owner"), pk=pk)
    result = selectors.evaluate_goal(goal, as_of=timezone.localdate())
    edit_form = GoalEditForm(request.POST or None, user=request.user, initial={
        "title": goal.title, "target_value": goal.target_value.normalize(), "deadline": goal.deadline,
        "why": goal.why, "owner": goal.owner.username})
    if request.method == "POST":
        services.ensure_can_change(request.user, goal)
    if request.method == "POST" and edit_form.is_valid():
        changes = {field: value for field, value in edit_form.cleaned_data.items()
                   if field != "owner" or value is not None}
        try:
            services.update_goal(goal, by=request.user, **changes)
        except ValidationError as error:
            _add_form_errors(edit_form, error)
        else:
            messages.success(request, "Goal updated.")
            return redirect("goal-detail", pk=goal.pk)
    kpi = find_kpi(goal.kpi)
    return render(request, "metrics/goals/detail.html", {
        "goal": goal, "result": result, "kpi": kpi, "unit": kpi.unit if kpi else "count",
        "chip": STATUS_CHIP[str(result.status)],
        "status_label": result.status.label,
        "changes": goal.status_changes.all()[:20], "edit_form": edit_form,
        "warnings": services.goal_warnings(goal, kpi),
        "can_change": services.can_change(request.user, goal),
    })


@member_required
@require_POST
def goal_archive(request, pk: int):
    goal = get_object_or_404(Goal, pk=pk)
    services.archive_goal(goal, by=request.user)
    messages.success(request, f"Archived: {goal.title}")
    return redirect("goal-list")
