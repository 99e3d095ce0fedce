"""Reading the audit log: the events a page, the API and the CSV export show, filtered
by person, action and dates (the company's time zone), each told as who, when, what,
which object, what changed, from where."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from audit.actions import ACTIONS, HIDDEN
from audit.models import EVENT_MODELS, AuditEvent, SignInEvent

# Keys of an event's data that hold a person (row_to_json names the column).
USER_KEYS = ("owner_id", "user_id", "created_by_id", "invited_by_id")
OBJECT_TYPES = {
    "audit.AuditedGoal": "goal", "audit.AuditedSurvey": "survey", "audit.AuditedMember": "member",
    "audit.AuditedInvitation": "invitation", "audit.AuditedUser": "user", "audit.AuditedImport": "import",
    "audit.AuditedJob": "kpis", "audit.AuditedCompany": "company", "audit.SignIn": "sign_in",
    "audit.AuditedApiToken": "token", "audit.AuditedSecurityPolicy": "two_factor_policy",
    "audit.AuditedAuthenticatorApp": "two_factor",
}


@dataclass(frozen=True)
class AuditFilters:
    user: int | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class AuditEntry:
    id: str
    at: dt.datetime              # in the company's time zone
    action: str
    action_label: str
    user: int | None
    user_email: str
    object_type: str
    object_id: str | None
    object: str
    changes: dict = field(default_factory=dict)   # {field: [before, after]} or {field: value}
    ip: str = ""
    user_agent: str = ""
    via: str = ""
    token: str = ""  # which API token, when via is "token"


def parse_filters(params) -> AuditFilters:
    """``user`` (an id), ``action`` (one of ACTIONS), ``since``/``until`` (YYYY-MM-DD,
    both days included); anything else is a ValidationError naming the parameter."""
    errors: dict[str, list[str]] = {}
    user = _text(params, "user")
    if user and not user.isdigit():
        errors["user"] = ["Give a person's id (a whole number)."]
    action = _text(params, "action")
    if action and action not in ACTIONS:
        errors["action"] = [f"Unknown action; one of: {', '.join(ACTIONS)}."]
    dates = {}
    for name in ("since", "until"):
        text = _text(params, name)
        try:
            dates[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = ["Give a date as YYYY-MM-DD."]
    if errors:
        raise ValidationError(errors)
    return AuditFilters(user=int(user) if user else None, action=action or None, **dates)


def _text(params, name: str) -> str:
    return (params.get(name) or "").strip()


class AuditEvents:
    """The filtered log as a sequence a paginator can slice: newest first.

    pghistory's aggregate query (``Events``) builds every event's data and diff before
    it filters, sorts and pages: 20 s for a page of a 100,000-event log. So the page's
    events are found first from the event tables' own columns (a UNION ALL of each
    table's matching ids and times), then only those are read through ``Events``, one
    table at a time (its filter on ``pgh_id`` reaches the table's primary key)."""

    def __init__(self, filters: AuditFilters, *, zone: zoneinfo.ZoneInfo):
        self.filters, self.zone = filters, zone
        self._count: int | None = None

    def _matching(self) -> tuple[str, list]:
        selects, params = [], []
        for model in EVENT_MODELS:
            conditions, values = ["pgh_label <> ALL(%s)"], [list(HIDDEN)]
            if self.filters.action:
                conditions.append("pgh_label = %s")
                values.append(self.filters.action)
            if self.filters.since:
                conditions.append("pgh_created_at >= %s")
                values.append(dt.datetime.combine(self.filters.since, dt.time.min, tzinfo=self.zone))
            if self.filters.until:
                conditions.append("pgh_created_at < %s")
                values.append(dt.datetime.combine(self.filters.until + dt.timedelta(days=1), dt.time.min,
                                                  tzinfo=self.zone))
            if self.filters.user is not None:
                # A failed sign-in names its account in the data, not in the context.
                mine = "pgh_context->>'user' = %s"
                values.append(str(self.filters.user))
                if model is SignInEvent:
                    mine = f"({mine} OR user_id = %s)"
                    values.append(self.filters.user)
                conditions.append(mine)
            selects.append(f"SELECT %s AS model, pgh_id, pgh_created_at FROM {model._meta.db_table} "
                           f"WHERE {' AND '.join(conditions)}")
            params += [model._meta.label, *values]
        return " UNION ALL ".join(selects), params

    def count(self) -> int:
        if self._count is None:
            union, params = self._matching()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({union}) matching", params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[AuditEvent]:
        start, stop = window.start or 0, window.stop
        union, params = self._matching()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT model, pgh_id FROM ({union}) matching "
                           f"ORDER BY pgh_created_at DESC, model DESC, pgh_id DESC LIMIT %s OFFSET %s",
                           [*params, (stop - start) if stop is not None else None, start])
            keys = cursor.fetchall()
        by_table: dict[str, list[int]] = {}
        for label, pk in keys:
            by_table.setdefault(label, []).append(pk)
        found = {}
        for label, ids in by_table.items():
            for event in AuditEvent.objects.across(label).filter(pgh_id__in=ids):
                found[(label, event.pgh_id)] = event
        return [found[key] for key in keys if key in found]


def audit_events(filters: AuditFilters, *, zone: zoneinfo.ZoneInfo) -> AuditEvents:
    """Newest first. The events of this tenant only: the event tables are in its schema."""
    return AuditEvents(filters, zone=zone)


def entries(events, *, zone: zoneinfo.ZoneInfo) -> list[AuditEntry]:
    """The events told for people: persons by e-mail (one query for the page)."""
    events = list(events)
    emails = _emails({user for event in events for user in _people(event)})
    return [_entry(event, emails, zone) for event in events]


def _people(event) -> set[int]:
    data = {**(event.pgh_data or {}), **{k: v[1] for k, v in (event.pgh_diff or {}).items()}}
    found = {data.get(key) for key in USER_KEYS} | {event.user}
    found |= {v[0] for k, v in (event.pgh_diff or {}).items() if k in USER_KEYS}
    return {value for value in found if isinstance(value, int)}


def _emails(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "email"))


def _entry(event, emails: dict[int, str], zone) -> AuditEntry:
    data = event.pgh_data or {}
    object_type = OBJECT_TYPES.get(event.pgh_obj_model, event.pgh_obj_model)
    who = event.email or emails.get(event.user, "")
    if object_type == "sign_in" and not who:
        who = data.get("username", "")
    return AuditEntry(
        id=event.pgh_slug, at=event.pgh_created_at.astimezone(zone), action=event.pgh_label,
        action_label=ACTIONS.get(event.pgh_label, event.pgh_label), user=event.user, user_email=who or "",
        object_type=object_type, object_id=event.pgh_obj_id, object=_describe(object_type, data, emails),
        changes=_changes(event, emails), ip=event.ip or "", user_agent=event.user_agent or "", via=event.via or "",
        token=event.token or "")


def _describe(object_type: str, data: dict, emails: dict[int, str]) -> str:
    match object_type:
        case "goal":
            return f"Goal “{data.get('title', '')}”"
        case "survey":
            return f"Survey “{data.get('name', '')}”"
        case "member":
            return f"Member {emails.get(data.get('user_id'), data.get('user_id'))}"
        case "invitation":
            return f"Invitation for {data.get('email', '')}"
        case "user":
            return data.get("email") or data.get("username", "")
        case "import":
            return f"{data.get('kind', '')}: {data.get('file_name', '')}"
        case "kpis":
            return "KPIs"
        case "company":
            return f"Company “{data.get('name', '')}”"
        case "sign_in":
            return data.get("username", "")
        case "token":
            return f"API token “{data.get('name', '')}” ({data.get('prefix', '')}…)"
        case "two_factor":
            return f"Authenticator app of {emails.get(data.get('user_id'), data.get('user_id'))}"
        case "two_factor_policy":
            return "Two-factor required" if data.get("require_two_factor") else "Two-factor optional"
    return ""


def _changes(event, emails: dict[int, str]) -> dict:
    """An update: what changed, before and after. A creation, a deletion, a sign-in:
    the object as it was then."""
    def shown(key, value):
        return emails.get(value, value) if key in USER_KEYS else value

    if event.pgh_diff:
        return {_field(key): [shown(key, before), shown(key, after)]
                for key, (before, after) in sorted(event.pgh_diff.items())}
    return {_field(key): shown(key, value) for key, value in sorted((event.pgh_data or {}).items())}


def _field(key: str) -> str:
    return key.removesuffix("_id") if key.endswith("_id") else key
