"""The audit log's actions, named once: the labels the triggers write (audit.models)
and how a page says them."""

ACTIONS: dict[str, str] = {
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "user.created": "Person added",
    "user.changed": "Person's details changed",
    "user.password_changed": "Password changed",
    "user.deleted": "Person deleted",
    "member.added": "Member added",
    "member.role_changed": "Role changed",
    "member.removed": "Member removed",
    "invitation.sent": "Invitation sent",
    "invitation.accepted": "Invitation accepted",
    "invitation.revoked": "Invitation revoked",
    "goal.created": "Goal created",
    "goal.changed": "Goal changed",
    "goal.deleted": "Goal deleted",
    "survey.created": "Survey created",
    "survey.changed": "Survey changed",
    "survey.deleted": "Survey deleted",
    "import.started": "Import started",
    "import.finished": "Import finished",
    "import.retried": "Import run again",
    "import.undone": "Import undone",
    "record.deleted": "Record deleted",
    "kpis.recompute_requested": "KPI recompute requested",
    "company.settings_changed": "Company settings changed",
    "company.two_factor_policy_set": "Two-factor rule set",
    "company.two_factor_policy_changed": "Two-factor rule changed",
    "token.created": "API token created",
    "token.revoked": "API token revoked",
    "two_factor.enabled": "Two-factor turned on",
    "two_factor.disabled": "Two-factor turned off",
}
# The settings as they were before the first recorded change: the base of that
# change's diff, not an action of its own.
HIDDEN = ("company.settings_before",)
