"""Tenant-host pages for people: log in via a sign-up hand-off, invitations, team."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services, two_factor
from accounts.backends import MEMBER_BACKEND
from accounts.forms import AcceptInvitationForm, InviteForm
from accounts.models import Invitation, Member
from accounts.roles import admin_required, member_required
from tenants.handoff import HandoffRefused, redeem_handoff


def welcome(request, handoff: str):
    """Log the new owner in on their own host after sign-up on the public site."""
    try:
        user_id = redeem_handoff(handoff, schema=connection.schema_name)
    except HandoffRefused:
        raise Http404("This link has expired. Please log in.")
    user = get_object_or_404(get_user_model(), pk=user_id)
    login(request, user, backend=MEMBER_BACKEND)
    messages.success(request, f"Welcome to KPI Hub, {connection.tenant.name}!")
    return redirect("home")


def accept_invitation(request, token: str):
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(invitation=invitation,
                                              password=form.cleaned_data["password"],
                                              name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=MEMBER_BACKEND)
            messages.success(request, "Your account is ready.")
            return redirect("home")
    return render(request, "accounts/accept_invitation.html",
                  {"form": form, "invitation": invitation})


@member_required
def team(request):
    members = Member.objects.select_related("user")
    pending = Invitation.objects.filter(accepted_at__isnull=True)
    return render(request, "accounts/team.html", {
        "members": members, "invitations": pending, "form": InviteForm(),
        "can_manage": request.user.member.is_admin,
        "with_two_factor": two_factor.user_ids_with_two_factor(),
    })


@admin_required
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite(email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                            invited_by=request.user, base_url=request.build_absolute_uri("/"))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
    else:
        messages.error(request, "Enter a valid e-mail address and role.")
    return redirect("team")


@admin_required
@require_POST
def change_member(request, pk: int):
    member = get_object_or_404(Member, pk=pk)
    try:
        if request.POST.get("action") == "remove":
            services.remove_member(member=member)
            messages.success(request, f"Removed {member.user.email}.")
        elif request.POST.get("action") == "reset-two-factor":
            two_factor.reset_for_member(member=member, by=request.user)
            messages.success(request, f"Two-factor authentication of {member.user.email} is off: "
                                      "they log in with their password and can set it up again.")
        else:
            services.change_role(member=member, role=request.POST.get("role", ""), by=request.user)
            messages.success(request, f"{member.user.email} is now {member.get_role_display()}.")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", error.args)))
    return redirect("team")


@member_required
def notifications(request):
    """The user's latest notifications (read as they are shown); owners and admins
    also choose here whether they get the weekly goals digest."""
    member = request.user.member
    if request.method == "POST" and member.is_admin:
        services.set_weekly_goal_digest(member=member, on=request.POST.get("weekly_goal_digest") == "on")
        messages.success(request, "Weekly digest " + ("on." if member.weekly_goal_digest else "off."))
        return redirect("notifications")
    items = services.read_notifications(user=request.user)
    return render(request, "accounts/notifications.html", {"items": items, "member": member})
