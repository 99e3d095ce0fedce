"""The goals API of goals.md: thin views over metrics.goals.services and selectors."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import IsTenantMember
from kpihub.api import Input
from metrics.date_window import OutsideWindow, check_date
from metrics.goals import selectors, services
from metrics.goals.evaluation import Achievability, Status
from metrics.kpis.registry import Kpi, find_kpi, kpis_by_key
from metrics.models import Goal

AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="Evaluate as of this date, YYYY-MM-DD (default today)")
ISO_DATE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # what format: date says; fromisoformat takes more


def parse_as_of(request) -> date:
    text = request.query_params.get("as_of")
    if not text:
        return timezone.localdate()
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return check_date(date.fromisoformat(text), name="as_of")
    except OutsideWindow as error:
        raise ValidationError({"as_of": [str(error)]}) from None
    except ValueError:
        raise ValidationError({"as_of": [f"Write the date as YYYY-MM-DD (e.g. 2026-03-31), not {text!r}."]})


def status_param(request) -> str:
    status_ = request.query_params.get("status", "")
    known = [member.value for member in Status]
    if status_ and status_ not in known:
        raise ValidationError({"status": [f"One of {', '.join(known)}, not {status_!r}."]})
    return status_


class GoalInput(Input):
    kpi = serializers.CharField(max_length=100)
    target_value = serializers.DecimalField(max_digits=38, decimal_places=10)
    deadline = serializers.DateField()
    start_date = serializers.DateField(required=False)
    baseline_value = serializers.DecimalField(max_digits=38, decimal_places=10, required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    why = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(required=False, help_text="E-mail of a member; default you")


class GoalChange(Input):
    target_value = serializers.DecimalField(max_digits=38, decimal_places=10, required=False)
    baseline_value = serializers.DecimalField(max_digits=38, decimal_places=10, required=False)
    deadline = serializers.DateField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    why = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(required=False)


class GoalOutput(serializers.Serializer):
    """What the API answers for a goal: its fields and its evaluation as of a date."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kpi = serializers.CharField()
    target_value = serializers.FloatField()
    baseline_value = serializers.FloatField()
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    why = serializers.CharField()
    owner = serializers.EmailField()
    achievability = serializers.ChoiceField(choices=Achievability.choices())
    archived = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    warnings = serializers.ListField(child=serializers.CharField(), help_text=(
        "What to know about the terms, never blocking: e.g. a goal against the KPI's own "
        "direction (goals.md)"))
    period = serializers.CharField(help_text="YYYY-MM: the latest complete month as of the date")
    current_value = serializers.FloatField(allow_null=True)
    time_elapsed_pct = serializers.FloatField()
    progress_pct = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices())
    forecast_value = serializers.FloatField(allow_null=True)
    probability = serializers.FloatField(allow_null=True)
    history = serializers.ListField(child=serializers.DictField())


def member_by_email(email: str):
    user = get_user_model().objects.filter(username=email.strip().lower(), member__isnull=False).first()
    if user is None:
        raise ValidationError({"owner": ["No member of this company has that e-mail."]})
    return user


def goal_payload(goal: Goal, as_of: date, result=None, kpi: Kpi | None = None) -> dict:
    """``result`` and ``kpi`` when the caller has them (a list reads them once for all)."""
    return {
        "id": goal.pk, "title": goal.title, "kpi": goal.kpi,
        "target_value": float(goal.target_value), "baseline_value": float(goal.baseline_value),
        "start_date": goal.start_date, "deadline": goal.deadline, "why": goal.why,
        "owner": goal.owner.email, "achievability": goal.achievability,
        "archived": goal.archived_at is not None, "created_at": goal.created_at,
        "warnings": services.goal_warnings(goal, kpi or find_kpi(goal.kpi)),
        **services.evaluation_payload(result or selectors.evaluate_goal(goal, as_of=as_of)),
    }


class GoalListView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(operation_id="goals_list", responses=GoalOutput(many=True),
                   parameters=[AS_OF, OpenApiParameter("status", str, enum=[member.value for member in Status]),
                               OpenApiParameter("owner", str, description="A member's e-mail"),
                               OpenApiParameter("kpi", str, description="A KPI key")])
    def get(self, request):
        as_of = parse_as_of(request)
        query = request.query_params
        evaluated = selectors.with_status(
            selectors.open_goals(as_of=as_of, kpi=query.get("kpi", ""), owner=query.get("owner", "")),
            status_param(request))
        kpis = kpis_by_key({goal.kpi for goal, _ in evaluated})
        return Response([goal_payload(goal, as_of, result, kpis.get(goal.kpi)) for goal, result in evaluated])

    @extend_schema(request=GoalInput, responses={201: GoalOutput})
    def post(self, request):
        data = GoalInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields:
            fields["owner"] = member_by_email(fields["owner"])
        goal = services.create_goal(by=request.user, **fields)
        return Response(goal_payload(goal, timezone.localdate()), status=status.HTTP_201_CREATED)


class GoalDetailView(APIView):
    permission_classes = [IsTenantMember]

    def goal(self, pk: int) -> Goal:
        return get_object_or_404(Goal.objects.select_related("owner"), pk=pk)

    @extend_schema(parameters=[AS_OF], responses=GoalOutput)
    def get(self, request, pk: int):
        return Response(goal_payload(self.goal(pk), parse_as_of(request)))

    @extend_schema(request=GoalChange, responses=GoalOutput)
    def patch(self, request, pk: int):
        goal = self.goal(pk)
        services.ensure_can_change(request.user, goal)
        data = GoalChange(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "owner" in changes:
            changes["owner"] = member_by_email(changes["owner"])
        goal = services.update_goal(goal, by=request.user, **changes)
        return Response(goal_payload(goal, timezone.localdate()))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.archive_goal(self.goal(pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
