"""Business operations on a tenant's people. Views, API and tasks call these."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.api_tokens import issue_sign_in_token
from accounts.emails import compose, render_body
from accounts.models import Invitation, Member, Notification
from tenants.models import Tenant


def check_new_password(password: str, *, email: str, name: str = "") -> None:
    """Django's password validators, judged against the person the password is for
    (so "too similar to your e-mail" works before the user exists)."""
    validate_password(password, user=get_user_model()(username=email, email=email, first_name=name))


def add_member(*, email: str, password: str | None, role: str, name: str = ""):
    """Create a user of the current tenant with a role. Usernames are e-mails."""
    User = get_user_model()
    email = email.strip().lower()
    if User.objects.filter(username=email).exists():
        raise ValidationError({"email": ["Someone with this e-mail is already a member."]})
    user = User(username=email, email=email, first_name=name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Member.objects.create(user=user, role=role)
    _refresh_user_count()
    return user


def issue_token(user, *, name: str = "") -> str:
    """A new read-write API token for the person (sign-up, tests); its key."""
    return issue_sign_in_token(user=user, name=name).key


def _refresh_user_count() -> None:
    """Keep the platform admin's user count current (a column on the public tenant row)."""
    tenant = connection.tenant
    if getattr(tenant, "pk", None) is None:
        return
    count = Member.objects.count()
    Tenant.objects.filter(pk=tenant.pk).update(user_count=count)


def invite(*, email: str, role: str, invited_by, base_url: str) -> Invitation:
    """Record an invitation and e-mail its link; the link lets them set a password."""
    email = email.strip().lower()
    User = get_user_model()
    if User.objects.filter(username=email).exists():
        raise ValidationError({"email": ["This person is already a member."]})
    if role == Member.Role.OWNER:
        raise ValidationError({"role": ["Invite as admin or member; there is one owner."]})
    invitation = Invitation.objects.create(email=email, role=role, invited_by=invited_by)
    link = f"{base_url.rstrip('/')}/accounts/invitation/{invitation.token}/"
    context = {
        "company": connection.tenant.name,
        "inviter": invited_by.email,
        "link": link,
        "action_url": link,
        "role": invitation.get_role_display(),
    }
    compose(to=email, subject=f"You are invited to {context['company']} on KPI Hub",
            body=render_body("invitation", context)).send()
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str, name: str = ""):
    if not invitation.is_usable:
        raise ValidationError("This invitation has expired or was already used.")
    user = add_member(email=invitation.email, password=password, role=invitation.role, name=name)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def change_role(*, member: Member, role: str, by) -> Member:
    if member.role == Member.Role.OWNER:
        raise ValidationError("The owner's role cannot be changed.")
    if role not in (Member.Role.ADMIN, Member.Role.MEMBER):
        raise ValidationError("Choose admin or member; there is one owner per company.")
    member.role = role
    member.save(update_fields=["role"])
    return member


def remove_member(*, member: Member) -> None:
    if member.role == Member.Role.OWNER:
        raise ValidationError("The owner cannot be removed.")
    member.user.delete()
    _refresh_user_count()


NOTIFICATIONS_SHOWN = 50


def read_notifications(*, user) -> list[Notification]:
    """The user's latest notifications; every unread one is marked read, as the page
    that calls this shows them."""
    items = list(Notification.objects.filter(user=user)[:NOTIFICATIONS_SHOWN])
    Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    return items


def set_weekly_goal_digest(*, member: Member, on: bool) -> Member:
    """Owners and admins choose whether they get the weekly goals digest."""
    if not member.is_admin:
        raise ValidationError("Only owners and admins get the weekly goals digest.")
    member.weekly_goal_digest = on
    member.save(update_fields=["weekly_goal_digest"])
    return member
