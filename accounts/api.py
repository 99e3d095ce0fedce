from django.contrib.auth import authenticate
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.lockout import MESSAGE
from accounts.models import Member
from accounts.roles import IsTenantAdmin, IsTenantMember, role_of
from kpihub.throttling import AddressRateThrottle


class TokenRequest(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField()


class TokenView(APIView):
    """Exchange a member's e-mail and password for their API token on this host.
    Failures count towards django-axes' lock-out (per e-mail and address)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequest,
                   responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})})
    def post(self, request):
        payload = TokenRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        email = payload.validated_data["email"].strip().lower()
        user = authenticate(request._request, username=email,
                            password=payload.validated_data["password"])
        if getattr(request._request, "axes_locked_out", False):
            return Response({"detail": MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or role_of(user) is None:
            return Response({"detail": "Wrong e-mail or password."}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": services.issue_token(user)})


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    tenant = serializers.DictField()


class MeView(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        tenant = connection.tenant
        return Response({
            "email": request.user.email,
            "name": request.user.get_full_name(),
            "role": role_of(request.user),
            "tenant": {"name": tenant.name, "slug": tenant.slug, "currency": tenant.currency,
                       "timezone": tenant.timezone},
        })


class InvitationRequest(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=[Member.Role.MEMBER, Member.Role.ADMIN],
                                   default=Member.Role.MEMBER)


class InvitationView(APIView):
    """Invite a teammate by e-mail (owners and admins)."""

    permission_classes = [IsTenantAdmin]

    @extend_schema(request=InvitationRequest,
                   responses={201: inline_serializer("InvitationResponse", {
                       "email": serializers.EmailField(), "role": serializers.CharField()})})
    def post(self, request):
        payload = InvitationRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.invite(invited_by=request.user,
                                     base_url=request.build_absolute_uri("/"),
                                     **payload.validated_data)
        return Response({"email": invitation.email, "role": invitation.role},
                        status=status.HTTP_201_CREATED)
