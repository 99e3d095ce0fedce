from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kpihub.throttling import AddressRateThrottle
from tenants.models import BUSINESS_MODELS
from tenants.signup import SignupForm, sign_up, tenant_url


class SignupRequest(serializers.Serializer):
    company_name = serializers.CharField()
    slug = serializers.CharField()
    email = serializers.EmailField()
    password = serializers.CharField()
    currency = serializers.CharField(required=False)
    timezone = serializers.CharField(required=False)
    locale = serializers.CharField(required=False, help_text="Number format, e.g. en-US, de-DE, pt-PT")
    business_model = serializers.ChoiceField(choices=[key for key, _ in BUSINESS_MODELS], required=False,
                                             help_text="What the company sells (default subscription)")


class SignupView(APIView):
    """Create a company (tenant) with its owner; returns the owner's API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "signup"

    @extend_schema(
        request=SignupRequest,
        responses={201: inline_serializer("SignupResponse", {
            "slug": serializers.CharField(), "domain": serializers.CharField(),
            "url": serializers.URLField(), "token": serializers.CharField()})},
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            return Response({"detail": "Send a JSON object with company_name, slug, email, password."},
                            status=status.HTTP_400_BAD_REQUEST)
        form = SignupForm(data=request.data)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        result = sign_up(**form.cleaned_data)
        return Response({"slug": result.tenant.slug, "domain": result.domain,
                         "url": tenant_url(result.tenant.slug, request), "token": result.token}, status=status.HTTP_201_CREATED)
