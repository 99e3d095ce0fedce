"""The audit log: who changed what, when, from where (issue 16).

Every write worth auditing is captured by a PostgreSQL trigger (django-pghistory on
django-pgtrigger), so a change made by raw SQL is recorded as surely as one made by the
ORM. The tracked tables belong to other apps; each is tracked through a proxy model
declared here, so the triggers are installed by this app's migrations and land in each
tenant's schema like the tables they watch. Each event row carries its context (user,
address, user agent, URL, how the request authenticated) as JSON, written by the
trigger from what ``audit.context`` sets for the request.

Business data (invoices, subscriptions ...) is not row-tracked: an import is audited
once, as its ``DataImport`` record with its counts, instead of one event per row (a
1,000,000-row import would write a million events; docs/decisions.md, "Audit log").

Event tables are append-only: a trigger refuses UPDATE and DELETE on them, whoever asks.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from pghistory.models import Events
from django.contrib.auth.models import User
from django.db import models

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, Invitation, Member, SecurityPolicy
from jobs.models import Job
from metrics.models import DataImport, Goal
from surveys.models import Survey
from tenants.models import Tenant

KPI_RECOMPUTE_JOB = "kpi_recompute"  # metrics.kpis.tasks.JOB_KIND, the one job kind audited as such
IMPORT_COUNTS = ["rows_total", "rows_created", "rows_updated", "rows_unchanged", "rows_rejected",
                 "rows_deleted", "error_count"]


def _event_model(tracked, *trackers, fields: list[str]):
    """An abstract pghistory event model: the listed fields as they were, the context
    as JSON on the row (no join to read who and from where), append-only."""
    return pghistory.create_event_model(
        tracked, *trackers, fields=fields, app_label="audit", abstract=True,
        obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
        context_field=pghistory.ContextJSONField(), append_only=True)


def _changed(*fields: str) -> pgtrigger.Condition:
    return pgtrigger.AnyChange(*fields)


def _changed_q(*fields: str) -> pgtrigger.Q:
    """Any of the fields changed, as a Q that combines with others (AnyChange does not)."""
    condition = pgtrigger.Q()
    for name in fields:
        condition |= pgtrigger.Q(**{f"new__{name}__df": pgtrigger.F(f"old__{name}")})
    return condition


# --- Proxies of the tracked models (the triggers migrate with this app) ---------------------------

class AuditedGoal(Goal):
    class Meta:
        proxy = True


class AuditedSurvey(Survey):
    class Meta:
        proxy = True


class AuditedMember(Member):
    class Meta:
        proxy = True


class AuditedInvitation(Invitation):
    class Meta:
        proxy = True


class AuditedUser(User):
    class Meta:
        proxy = True


class AuditedImport(DataImport):
    class Meta:
        proxy = True


class AuditedJob(Job):
    class Meta:
        proxy = True


class AuditedApiToken(ApiToken):
    class Meta:
        proxy = True


class AuditedSecurityPolicy(SecurityPolicy):
    class Meta:
        proxy = True


class AuditedAuthenticatorApp(TOTPDevice):
    class Meta:
        proxy = True


class AuditedCompany(Tenant):
    """The company's settings live in public (tenants.Tenant); never triggered (a trigger
    there would fire on the public host too). ``audit.receivers`` records a change into
    the tenant's own schema."""

    class Meta:
        proxy = True


# --- Event models -----------------------------------------------------------------------------

GOAL_FIELDS = ["title", "kpi", "target_value", "baseline_value", "start_date", "deadline", "why",
               "owner", "archived_at"]


class GoalEvent(_event_model(
        AuditedGoal,
        pghistory.InsertEvent("goal.created"),
        # Only what a person edits: the daily evaluation's status is not an audited write.
        pghistory.UpdateEvent("goal.changed", condition=_changed(*GOAL_FIELDS)),
        pghistory.DeleteEvent("goal.deleted"),
        fields=GOAL_FIELDS)):
    pass


SURVEY_FIELDS = ["type", "name", "question", "follow_up", "language", "audience", "audience_filter",
                 "throttle_days", "send_at", "reminder_days", "closes_at", "anonymous", "status"]


class SurveyEvent(_event_model(
        AuditedSurvey,
        pghistory.InsertEvent("survey.created"),
        pghistory.UpdateEvent("survey.changed", condition=_changed(*SURVEY_FIELDS)),
        pghistory.DeleteEvent("survey.deleted"),
        fields=SURVEY_FIELDS)):
    pass


class MemberEvent(_event_model(
        AuditedMember,
        pghistory.InsertEvent("member.added"),
        pghistory.UpdateEvent("member.role_changed", condition=_changed("role")),
        pghistory.DeleteEvent("member.removed"),
        fields=["user", "role"])):
    pass


class InvitationEvent(_event_model(
        AuditedInvitation,
        pghistory.InsertEvent("invitation.sent"),
        pghistory.UpdateEvent("invitation.accepted", condition=pgtrigger.Q(old__accepted_at__isnull=True,
                                                                            new__accepted_at__isnull=False)),
        pghistory.DeleteEvent("invitation.revoked"),
        fields=["email", "role", "invited_by", "accepted_at"])):
    pass


USER_FIELDS = ["username", "email", "first_name", "last_name", "is_active"]


class UserEvent(_event_model(
        AuditedUser,
        pghistory.InsertEvent("user.created"),
        pghistory.UpdateEvent("user.changed", condition=_changed(*USER_FIELDS)),
        # The hash is never copied; that it changed is the event.
        pghistory.UpdateEvent("user.password_changed", condition=_changed("password")),
        pghistory.DeleteEvent("user.deleted"),
        fields=USER_FIELDS)):
    pass


IMPORT_FIELDS = ["kind", "origin", "source", "mode", "file_name", "file_size", "on_error", "created_by",
                 "reverts", "undone_at", *IMPORT_COUNTS]


class ImportEvent(_event_model(
        AuditedImport,
        pghistory.InsertEvent("import.started", condition=pgtrigger.Q(new__origin__in=["upload", "api"])),
        pghistory.InsertEvent("import.undone", condition=pgtrigger.Q(new__origin="undo")),
        pghistory.InsertEvent("record.deleted", condition=pgtrigger.Q(new__origin="delete")),
        # Written once, by the worker, when the import ends: the import with its counts.
        pghistory.UpdateEvent("import.finished", condition=_changed_q(*IMPORT_COUNTS)
                              & (pgtrigger.Q(new__rows_total__gt=0) | pgtrigger.Q(new__error_count__gt=0))),
        # A retry resets the counts before queueing the import again.
        pghistory.UpdateEvent("import.retried", condition=_changed_q(*IMPORT_COUNTS)
                              & pgtrigger.Q(new__rows_total=0, new__error_count=0)),
        fields=IMPORT_FIELDS)):
    pass


class RecomputeEvent(_event_model(
        AuditedJob,
        pghistory.InsertEvent("kpis.recompute_requested", condition=pgtrigger.Q(new__kind=KPI_RECOMPUTE_JOB)),
        fields=["kind", "created_by"])):
    pass


class ApiTokenEvent(_event_model(
        AuditedApiToken,
        # Named tokens only: the token endpoint makes one per sign-in (its sign-in is the event).
        # Never the digest: the name, the first characters and what it may do.
        pghistory.InsertEvent("token.created", condition=pgtrigger.Q(new__from_sign_in=False)),
        pghistory.DeleteEvent("token.revoked", condition=pgtrigger.Q(old__from_sign_in=False)),
        fields=["user", "name", "prefix", "read_only"])):
    pass


class SecurityPolicyEvent(_event_model(
        AuditedSecurityPolicy,
        pghistory.InsertEvent("company.two_factor_policy_set"),
        pghistory.UpdateEvent("company.two_factor_policy_changed", condition=_changed("require_two_factor")),
        fields=["require_two_factor"])):
    pass


class TwoFactorEvent(_event_model(
        AuditedAuthenticatorApp,
        # Turned on when the person confirms the app with a code (accounts.two_factor);
        # an unconfirmed device is only an enrolment that was started.
        pghistory.UpdateEvent("two_factor.enabled", condition=pgtrigger.Q(old__confirmed=False, new__confirmed=True)),
        # Turned off by the person, or reset by an admin (the context says who).
        pghistory.DeleteEvent("two_factor.disabled", condition=pgtrigger.Q(old__confirmed=True)),
        fields=["user", "name"])):
    pass


COMPANY_FIELDS = ["name", "status", "currency", "timezone", "locale", "business_model", "survey_sender_name",
                  "survey_reply_to"]


class CompanyEvent(_event_model(
        AuditedCompany,
        pghistory.ManualEvent("company.settings_before"),  # the settings before the first change recorded
        pghistory.ManualEvent("company.settings_changed"),
        fields=COMPANY_FIELDS)):
    pass


class SignIn(models.Model):
    """One attempt to sign in to this company (a page, the token endpoint, a second
    factor), successful or not, written by ``audit.receivers`` from Django's
    ``user_logged_in`` / ``user_login_failed`` signals. The username is kept as typed:
    a failed attempt may name nobody in this company."""

    username = models.CharField(max_length=254, blank=True, default="")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True)


class SignInEvent(_event_model(
        SignIn,
        pghistory.InsertEvent("sign_in.succeeded", condition=pgtrigger.Q(new__succeeded=True)),
        pghistory.InsertEvent("sign_in.failed", condition=pgtrigger.Q(new__succeeded=False)),
        fields=["username", "user"])):
    pass


EVENT_MODELS = [GoalEvent, SurveyEvent, MemberEvent, InvitationEvent, UserEvent, ImportEvent,
                RecomputeEvent, CompanyEvent, SignInEvent, ApiTokenEvent, SecurityPolicyEvent, TwoFactorEvent]


class AuditEvent(Events):
    """Every event of the audit log, across the event tables (pghistory's aggregate
    query), with the request's context read out of its JSON."""

    user = pghistory.ProxyField("pgh_context__user", models.BigIntegerField(null=True))
    email = pghistory.ProxyField("pgh_context__email", models.TextField(null=True))
    ip = pghistory.ProxyField("pgh_context__ip", models.TextField(null=True))
    user_agent = pghistory.ProxyField("pgh_context__user_agent", models.TextField(null=True))
    via = pghistory.ProxyField("pgh_context__via", models.TextField(null=True))
    token = pghistory.ProxyField("pgh_context__token", models.TextField(null=True))

    class Meta:
        proxy = True
