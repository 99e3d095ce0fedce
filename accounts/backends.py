"""How a request's user is loaded from its session."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

MEMBER_BACKEND = "accounts.backends.MemberBackend"


class MemberBackend(ModelBackend):
    """Django's ModelBackend, loading the user's membership in the same query: every
    tenant page asks for the role (accounts.roles), so one query instead of two. The
    public schema (platform staff) has no memberships to join."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager
        if connection.schema_name != get_public_schema_name():
            users = users.select_related("member")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
