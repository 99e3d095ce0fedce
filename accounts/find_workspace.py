""""Find my workspace" (issue 17): someone who forgot their company's address gives
their e-mail on the public site and gets one e-mail listing the log-in page of every
company they belong to. Nothing is sent to an address that belongs nowhere, and the
page and API answer the same either way; the look-up and the mail run in a Celery task
(accounts.tasks) so the answer's timing says nothing either.

A module of its own rather than accounts/services.py: it builds tenant addresses with
tenants.signup, which imports accounts.services."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.emails import compose, render_body
from accounts.selectors import workspaces_of
from tenants.signup import tenant_domain

SUBJECT = "Your KPI Hub workspaces"


def public_origin(*, scheme: str, port: str) -> str:
    """``http://localhost:8000``: the public site as the person who asked reached it."""
    return f"{scheme}://{settings.BASE_DOMAIN}{port}"


def mail_workspace_list(*, email: str, scheme: str, port: str) -> int:
    """E-mail ``email`` the log-in page of each company it belongs to; returns how many
    were listed (0: nothing sent). ``scheme`` and ``port`` (``":8000"`` or ``""``) are
    those of the public-site request, so the links work where the person came from."""
    email = email.strip().lower()  # as people's addresses are stored: the list goes to that one
    workspaces = workspaces_of(email=email)
    if not workspaces:
        return 0
    login_path = "/accounts/login/"
    links = [{"name": workspace.name, "slug": workspace.slug,
              "url": f"{scheme}://{tenant_domain(workspace.slug)}{port}{login_path}"}
             for workspace in workspaces]
    # One workspace: the button opens its log-in page; several: each is listed with its
    # own link, and the button opens the public log-in page where a slug is typed.
    action_url = links[0]["url"] if len(links) == 1 else public_origin(scheme=scheme, port=port) + reverse(
        "public-login", urlconf="kpihub.urls.public")
    context = {"email": email, "workspaces": links, "action_url": action_url}
    compose(to=email, subject=SUBJECT, body=render_body("find_workspace", context)).send()
    return len(links)


def request_origin(request) -> tuple[str, str]:
    """The public-site request's scheme and port (``":8000"``, or ``""`` on the default
    port), which the e-mail's links keep, as tenants.signup.tenant_url does."""
    host = request.get_host()
    return request.scheme, (f":{host.rsplit(':', 1)[1]}" if ":" in host else "")
