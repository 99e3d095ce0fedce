"""``GET, PATCH /api/v1/company/`` (api.md): the company's settings. Members read them;
owners and admins change them (accounts.roles). A change of the reporting currency
answers 202 with the recompute job it queued and what the new currency needs."""

from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import ReadForMembersWriteForAdmins
from kpihub.api import Input
from tenants.company import current_settings, update_company_settings
from tenants.models import BUSINESS_MODELS, CURRENCIES, LOCALES, TIMEZONES
from tenants.selectors import currency_needs


class CompanySettings(Input):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(read_only=True, help_text="The company's address; cannot be changed")
    timezone = serializers.CharField(max_length=64, help_text="An IANA time zone, e.g. Europe/Berlin")
    locale = serializers.ChoiceField(choices=[code for code, _ in LOCALES], help_text="Number format")
    currency = serializers.ChoiceField(choices=CURRENCIES, help_text=(
        "The reporting currency; changing it answers 202 and recomputes every KPI"))
    business_model = serializers.ChoiceField(choices=[key for key, _ in BUSINESS_MODELS])
    survey_sender_name = serializers.CharField(max_length=120, allow_blank=True, help_text=(
        "The name survey e-mails come from (the company's name when blank)"))
    survey_reply_to = serializers.EmailField(allow_blank=True, help_text="Reply-To of survey e-mails; none when blank")

    def validate_timezone(self, value: str) -> str:
        """Checked here too (the service's form checks it again), so a bad time zone is
        named together with the other fields' errors."""
        if value not in TIMEZONES:
            raise serializers.ValidationError(f"{value!r} is not a time zone (an IANA name such as Europe/Berlin).")
        return value


class CurrencyChanged(CompanySettings):
    job_id = serializers.UUIDField(read_only=True, help_text="The recompute: GET /api/v1/jobs/{id}/")
    needs = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=(
        "What the new currency needs before every amount converts: exchange rates, in words"))


def settings_answer(tenant) -> dict:
    return {**current_settings(tenant), "slug": tenant.slug}


class CompanyView(APIView):
    """The company's settings: name, time zone, number format, reporting currency,
    business model and the survey e-mails' sender."""

    permission_classes = [ReadForMembersWriteForAdmins]

    @extend_schema(operation_id="company_read", responses={200: CompanySettings})
    def get(self, request):
        return Response(settings_answer(connection.tenant))

    @extend_schema(operation_id="company_update", request=CompanySettings, responses={
        200: CompanySettings,
        202: OpenApiResponse(CurrencyChanged, description="The currency changed: every KPI is being recomputed"),
    })
    def patch(self, request):
        payload = CompanySettings(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        tenant = connection.tenant
        change = update_company_settings(tenant=tenant, by=request.user, **payload.validated_data)
        answer = settings_answer(tenant)
        if not change.currency_changed:
            return Response(answer)
        needs = currency_needs(currency=tenant.currency, previous=change.changed["currency"][0])
        return Response({**answer, "job_id": str(change.job.pk), "needs": needs.sentences},
                        status=status.HTTP_202_ACCEPTED)
