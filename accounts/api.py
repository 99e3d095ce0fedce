from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import api_tokens, services, two_factor
from accounts.authentication import ENROL_FIRST
from accounts.find_workspace import request_origin
from accounts.lockout import MESSAGE
from accounts.models import Member
from accounts.roles import IsTenantAdmin, IsTenantMember, role_of
from accounts.tasks import send_workspace_list
from kpihub.api import Input
from kpihub.throttling import AddressRateThrottle, FindWorkspaceRateThrottle


class TokenRequest(Input):
    email = serializers.EmailField()
    password = serializers.CharField()
    otp = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text=(
        "Required when the person has two-factor authentication on: the 6 digits their "
        "authenticator app shows, or one of their recovery codes (used up)."))
    name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                 help_text="The new token's name (default: “Sign-in on <date>”).")
    read_only = serializers.BooleanField(required=False, default=False,
                                         help_text="A read-only token: 403 on any unsafe method.")


OTP_NEEDED = ("This account uses two-factor authentication: send the 6-digit code from the "
              "authenticator app (or a recovery code) as “otp”.")
ERROR = inline_serializer("AccountsError", {"detail": serializers.CharField()})


class TokenView(APIView):
    """Exchange a member's e-mail and password (and, with two-factor on, a code as
    ``otp``) for a new API token on this host. A stored token is only a hash, so each
    call makes a new one (listed at /api/v1/tokens/, revocable); earlier ones keep
    working. Wrong passwords and codes count towards django-axes' lock-out (per e-mail
    and address) and are sent as user_login_failed; a success as user_logged_in."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequest, responses={
        200: inline_serializer("TokenResponse", {
            "token": serializers.CharField(), "id": serializers.IntegerField(),
            "name": serializers.CharField(), "read_only": serializers.BooleanField()}),
        400: OpenApiResponse(description="Wrong e-mail, password or code; `otp` missing for a two-factor account"),
        403: OpenApiResponse(ERROR, description="The company requires two-factor and the person has not set it up"),
        429: OpenApiResponse(ERROR, description="Locked out after repeated failures, or throttled"),
    })
    def post(self, request):
        payload = TokenRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        email = data["email"].strip().lower()
        user = authenticate(request._request, username=email, password=data["password"])
        if getattr(request._request, "axes_locked_out", False):
            return Response({"detail": MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or role_of(user) is None:
            return Response({"detail": "Wrong e-mail or password."}, status=status.HTTP_400_BAD_REQUEST)
        if two_factor.is_enabled(user):
            if not data.get("otp"):
                return Response({"otp": [OTP_NEEDED]}, status=status.HTTP_400_BAD_REQUEST)
            try:
                two_factor.check_code(user=user, code=data["otp"])
            except DjangoValidationError as error:
                user_login_failed.send(sender=__name__, credentials={"username": email}, request=request._request)
                if getattr(request._request, "axes_locked_out", False):
                    return Response({"detail": MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
                return Response({"otp": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        elif two_factor.is_required():
            return Response({"detail": ENROL_FIRST}, status=status.HTTP_403_FORBIDDEN)
        made = api_tokens.issue_sign_in_token(user=user, name=data.get("name", ""),
                                              read_only=data.get("read_only", False))
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": made.key, "id": made.token.pk, "name": made.token.name,
                         "read_only": made.token.read_only})


class ApiTokenSerializer(Input):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    read_only = serializers.BooleanField(default=False)
    prefix = serializers.CharField(read_only=True, help_text="The key's first characters, to recognise it")
    from_sign_in = serializers.BooleanField(read_only=True,
                                            help_text="Handed out by POST /api/v1/auth/token/ or sign-up")
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The key: shown this once, never stored")


class TokenListView(APIView):
    """The caller's own API tokens (never their keys); POST makes a named one, read-only
    or read-write, whose key the answer shows once."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses={200: ApiTokenSerializer(many=True)})
    def get(self, request):
        return Response(ApiTokenSerializer(api_tokens.tokens_of(request.user), many=True).data)

    @extend_schema(request=ApiTokenSerializer, responses={
        201: NewApiTokenSerializer, 400: OpenApiResponse(description="Field errors"),
        403: OpenApiResponse(ERROR, description="Called with a read-only token")})
    def post(self, request):
        payload = ApiTokenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        made = api_tokens.create_token(user=request.user, **payload.validated_data)
        answer = NewApiTokenSerializer(made.token).data
        return Response({**answer, "token": made.key}, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    """Revoke one of the caller's tokens (it stops working at once)."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses={204: None, 403: OpenApiResponse(ERROR, description="Called with a read-only token"),
                              404: OpenApiResponse(ERROR, description="Not one of the caller's tokens")})
    def delete(self, request, pk: int):
        if not api_tokens.revoke_token(user=request.user, token_id=pk):
            raise NotFound("No such token.")
        return Response(status=status.HTTP_204_NO_CONTENT)


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


class TwoFactorStatusSerializer(Input):
    require_two_factor = serializers.BooleanField(help_text="The company requires two-factor of everyone")
    enabled = serializers.BooleanField(read_only=True, help_text="The caller has two-factor on")
    recovery_codes_left = serializers.IntegerField(read_only=True)


class TwoFactorView(APIView):
    """The caller's two-factor state and the company's requirement; the owner changes the
    requirement with PATCH (they must have two-factor on themselves). Turning two-factor
    on for oneself is done on the page /accounts/security/two-factor/ (a QR code to scan)."""

    permission_classes = [IsTenantMember]

    def _state(self, request):
        return Response({"require_two_factor": two_factor.is_required(),
                         "enabled": two_factor.is_enabled(request.user),
                         "recovery_codes_left": two_factor.recovery_codes_left(request.user)})

    @extend_schema(responses={200: TwoFactorStatusSerializer})
    def get(self, request):
        return self._state(request)

    @extend_schema(request=TwoFactorStatusSerializer, responses={
        200: TwoFactorStatusSerializer, 400: OpenApiResponse(description="The owner has no two-factor yet"),
        403: OpenApiResponse(ERROR, description="Not the owner, or a read-only token")})
    def patch(self, request):
        payload = TwoFactorStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        two_factor.set_required(by=request.user, required=payload.validated_data["require_two_factor"])
        return self._state(request)


class FindWorkspaceRequest(Input):
    """The address to send the list of workspaces to."""

    email = serializers.EmailField(help_text="The e-mail you log in with.")


FIND_WORKSPACE_ANSWER = "If this address belongs to a KPI Hub workspace, we have e-mailed it the log-in links."


class FindWorkspaceView(APIView):
    """On the public host: e-mail ``email`` the log-in page of every workspace (company)
    where it is a member. The answer is 202 whether or not it is one of anyone's (the
    look-up and the e-mail run in the background, so the timing does not tell either);
    nothing is sent to an address that belongs nowhere. Limited per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [FindWorkspaceRateThrottle]

    @extend_schema(request=FindWorkspaceRequest, responses={202: OpenApiResponse(inline_serializer(
        "FindWorkspaceAccepted", {"detail": serializers.CharField()}), description=(
            "Accepted, whether or not the address belongs to a workspace: if it does, the "
            "e-mail is on its way."))})
    def post(self, request):
        data = FindWorkspaceRequest(data=request.data)
        data.is_valid(raise_exception=True)
        scheme, port = request_origin(request)
        send_workspace_list.delay_on_commit(email=data.validated_data["email"], scheme=scheme, port=port)
        return Response({"detail": FIND_WORKSPACE_ANSWER}, status=status.HTTP_202_ACCEPTED)
