"""Who may do what. Views use the decorator, the API uses the permission classes;
both read the same rule so a page and its endpoint can never disagree."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from accounts.models import Member

ADMIN_ROLES = (Member.Role.OWNER, Member.Role.ADMIN)


def role_of(user) -> str | None:
    """The user's role in the current tenant, or None (anonymous, platform staff)."""
    if not user.is_authenticated:
        return None
    member = getattr(user, "member", None)
    try:
        return member.role if member else None
    except Member.DoesNotExist:
        return None


def has_role(user, *roles: str) -> bool:
    return role_of(user) in roles


def role_required(*roles: str):
    """Login required, then 403 unless the user holds one of the roles."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


member_required = role_required(*Member.Role.values)
admin_required = role_required(*ADMIN_ROLES)


class IsTenantMember(BasePermission):
    """Authenticated as a person of this tenant (any role)."""

    message = "Log in as a member of this company."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) is not None


class IsTenantAdmin(BasePermission):
    message = "Only owners and admins can do this."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *ADMIN_ROLES)


class ReadForMembersWriteForAdmins(BasePermission):
    message = "Members can read; only owners and admins can change this."

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return role_of(request.user) is not None
        return has_role(request.user, *ADMIN_ROLES)
