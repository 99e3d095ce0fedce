"""A tenant's people. Stock ``auth.User`` rows live in the tenant's schema (the
username is the e-mail address); ``Member`` adds the role. Platform staff are
users of the public schema and have no Member row."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Member(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="member")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    # Owners and admins may opt in to a Monday e-mail summarising every goal.
    weekly_goal_digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user.email} ({self.role})"

    @property
    def is_admin(self) -> bool:
        """Owners and admins manage data, goals, surveys and members."""
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Member.Role.choices, default=Member.Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def is_expired(self) -> bool:
        age = (timezone.now() - self.created_at).total_seconds()
        return age > settings.INVITATION_MAX_AGE

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and not self.is_expired


class Notification(models.Model):
    """Something a person should see in the app (the bell menu); e-mail is sent
    alongside by whoever creates it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class ApiToken(models.Model):
    """A named API token of one person (``Authorization: Token <key>``). Only the
    SHA-256 of the key is stored: the key is shown once, when it is made, and a
    leaked database cannot be replayed against the API. Keys are long random strings,
    so a fast hash is enough (a password hash would cost every API request)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to recognise it.")
    read_only = models.BooleanField(default=False)
    # Handed out by POST /api/v1/auth/token/ or sign-up rather than named by the person.
    from_sign_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SecurityPolicy(models.Model):
    """The company's sign-in rules: one row per tenant schema (``SecurityPolicy.current()``)."""

    require_two_factor = models.BooleanField(default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "security policies"

    def __str__(self) -> str:
        return "Two-factor required" if self.require_two_factor else "Two-factor optional"

    @classmethod
    def current(cls) -> SecurityPolicy:
        """The schema's one policy; an unsaved default while nobody has changed it."""
        return cls.objects.order_by("pk").first() or cls()
