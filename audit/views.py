"""The audit log page (owners and admins): the same selectors as the API, filtered
by person, action and dates, fifty events a page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.shortcuts import render

from accounts.roles import admin_required
from audit import selectors
from audit.actions import ACTIONS
from audit.export import describe_changes

PAGE_SIZE = 50


@admin_required
def audit_log(request):
    zone = connection.tenant.zone
    people = get_user_model().objects.filter(member__isnull=False).order_by("email").values_list("pk", "email")
    context = {"actions": ACTIONS.items(), "people": people, "zone": zone.key, "values": request.GET}
    try:
        filters = selectors.parse_filters(request.GET)
    except ValidationError as error:
        return render(request, "audit/log.html", {**context, "errors": error.message_dict}, status=400)
    events = selectors.audit_events(filters, zone=zone)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, describe_changes(entry.changes)) for entry in selectors.entries(page, zone=zone)]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {**context, "page": page, "rows": rows, "query": query.urlencode()})
