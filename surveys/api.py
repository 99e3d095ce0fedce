"""``/api/v1/surveys/``: an adapter over surveys.services and surveys.selectors.

``audience`` in JSON is ``"all"``, ``{"filter": {"segment": [...], "channel": [...],
"country": [...], "active": true}}`` or ``{"customer_ids": ["c1", "c2"]}``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.roles import IsTenantAdmin, IsTenantMember, ReadForMembersWriteForAdmins
from kpihub.api import Input
from kpihub.api_schema import Error
from surveys import audience, scoring, selectors, services
from surveys.models import Survey, SurveyResponse


def audience_json(survey: Survey):
    if survey.audience == Survey.Audience.FILTER:
        return {"filter": survey.audience_filter}
    if survey.audience == Survey.Audience.LIST:
        return {"customer_ids": survey.audience_customer_ids}
    return "all"


class AudienceField(serializers.JSONField):
    """Turns the JSON shapes above into the service's three arguments."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data in ("all", None):
            return {"audience": "all"}
        if isinstance(data, dict) and set(data) == {"filter"}:
            return {"audience": "filter", "audience_filter": data["filter"]}
        if isinstance(data, dict) and set(data) == {"customer_ids"}:
            return {"audience": "list", "audience_customer_ids": data["customer_ids"]}
        raise serializers.ValidationError(
            'Use "all", {"filter": {...}} or {"customer_ids": [...]}.')


class SurveyInput(Input):
    type = serializers.ChoiceField(choices=Survey.Type.values)
    name = serializers.CharField(max_length=200)
    question = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Survey.Language.values, default="en")
    audience = AudienceField(required=False, default="all")
    throttle_days = serializers.IntegerField(min_value=0, max_value=3650, default=90)
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reminder_days = serializers.IntegerField(min_value=1, max_value=365, required=False,
                                             allow_null=True, default=None)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    anonymous = serializers.BooleanField(default=False)

    def validate_audience(self, value):
        return value if isinstance(value, dict) and "audience" in value else {"audience": "all"}


class SurveyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="draft, scheduled, sending, sent or closed")
    sent = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    queued = serializers.IntegerField()
    responded = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="Percent of invitations sent")
    score = serializers.FloatField(allow_null=True, help_text="NPS (-100..100) or CSAT (%)")
    score_margin = serializers.FloatField(allow_null=True, help_text="95 % margin, adjusted Wald")
    question = serializers.CharField()
    follow_up = serializers.CharField()
    language = serializers.CharField()
    audience = serializers.JSONField()
    unmatched_customer_ids = serializers.ListField(
        child=serializers.CharField(),
        help_text="For a list audience: the ids given that match no customer with an e-mail "
                  "address, so nobody gets the survey for them (empty otherwise)")
    throttle_days = serializers.IntegerField()
    send_at = serializers.DateTimeField(allow_null=True)
    reminder_days = serializers.IntegerField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    anonymous = serializers.BooleanField()
    created_at = serializers.DateTimeField()


def survey_json(survey: Survey, unmatched: audience.Unmatched | None = None) -> dict:
    stats = selectors.survey_stats(survey)
    if unmatched is None:
        unmatched = audience.unmatched(audience.AudienceSpec.of(survey))
    return SurveyOutput({
        "id": survey.pk, "type": survey.type, "name": survey.name, "status": survey.current_status,
        "sent": stats.sent, "skipped": stats.skipped, "failed": stats.failed,
        "queued": stats.queued, "responded": stats.responded,
        "response_rate": stats.response_rate, "score": stats.score,
        "score_margin": stats.score_margin, "question": survey.question,
        "follow_up": survey.follow_up, "language": survey.language,
        "audience": audience_json(survey),
        "unmatched_customer_ids": unmatched.ids,
        "throttle_days": survey.throttle_days,
        "send_at": survey.send_at, "reminder_days": survey.reminder_days,
        "closes_at": survey.closes_at, "anonymous": survey.anonymous,
        "created_at": survey.created_at,
    }).data


class SurveyListView(GenericAPIView):
    permission_classes = [ReadForMembersWriteForAdmins]
    queryset = Survey.objects.all()
    serializer_class = SurveyOutput

    @extend_schema(responses=SurveyOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(Survey.objects.order_by("-created_at", "-id"))
        unmatched = audience.unmatched_of([audience.AudienceSpec.of(survey) for survey in page])
        return self.get_paginated_response([survey_json(s, u) for s, u in zip(page, unmatched)])

    @extend_schema(request=SurveyInput, responses={201: SurveyOutput})
    def post(self, request):
        payload = SurveyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        chosen = data.pop("audience")
        survey = services.create_survey(**data, **chosen, created_by=request.user,
                                        base_url=request.build_absolute_uri("/"))
        return Response(survey_json(survey), status=status.HTTP_201_CREATED)


class SurveyDetailView(GenericAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = SurveyOutput
    queryset = Survey.objects.all()

    def get(self, request, pk: int):
        return Response(survey_json(get_object_or_404(Survey, pk=pk)))


class SurveySendView(GenericAPIView):
    permission_classes = [IsTenantAdmin]
    serializer_class = None
    queryset = Survey.objects.all()

    @extend_schema(request=None, responses={
        202: inline_serializer("SurveySendAccepted", {"job_id": serializers.UUIDField()}),
        409: OpenApiResponse(Error, description="Not sendable now (already sending or sent, closed, no audience)")})
    def post(self, request, pk: int):
        survey = get_object_or_404(Survey, pk=pk)
        try:
            job = services.start_sending(survey=survey, by=request.user)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response({"job_id": str(job.pk)}, status=status.HTTP_202_ACCEPTED)


class ResponseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    comment = serializers.CharField()
    responded_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    customer = serializers.DictField(required=False, help_text="Absent for anonymous surveys")


def response_json(survey: Survey, answer) -> dict:
    row = {"id": answer.pk, "score": answer.score,
           "group": scoring.score_group(survey.type, answer.score), "comment": answer.comment,
           "responded_at": answer.responded_at, "updated_at": answer.updated_at}
    if not survey.anonymous:
        row["customer"] = {"customer_id": answer.customer_id, "name": answer.customer_name,
                           "email": answer.customer_email, "segment": answer.customer_segment,
                           "channel": answer.customer_channel, "country": answer.customer_country}
    return ResponseOutput(row).data


class SurveyResponsesView(GenericAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = ResponseOutput
    queryset = SurveyResponse.objects.none()  # for the schema; answers come from selectors

    @extend_schema(parameters=[
        OpenApiParameter("group", str, description="detractors, passives, promoters (NPS); "
                         "unsatisfied, neutral, satisfied (CSAT); no_score"),
        OpenApiParameter("q", str, description="Search comments (and customers, unless anonymous)"),
        *[OpenApiParameter(name, str) for name in ("segment", "channel", "country")],
    ], responses=ResponseOutput(many=True))
    def get(self, request, pk: int):
        survey = get_object_or_404(Survey, pk=pk)
        answers = selectors.responses(
            survey, group=request.query_params.get("group", ""),
            query=request.query_params.get("q", "").strip(),
            customer_filter={name: request.query_params.get(name, "")
                             for name in ("segment", "channel", "country")})
        page = self.paginate_queryset(answers)
        return self.get_paginated_response([response_json(survey, a) for a in page])
