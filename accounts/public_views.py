"""The public site's pages for getting back in (issue 17): "Log in" asks which
workspace (company) to go to, since each company logs in on its own host, and "find my
workspace" e-mails the list to someone who forgot. Password reset itself happens on the
company's host (accounts/urls.py)."""

from math import ceil

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.find_workspace import request_origin
from accounts.forms import FindWorkspaceForm, WorkspaceForm
from accounts.tasks import send_workspace_list
from kpihub.throttling import FindWorkspaceRateThrottle
from tenants.signup import tenant_url


@require_http_methods(["GET", "HEAD"])
def public_login(request):
    """A GET form (nothing secret in a slug): a known workspace goes to its log-in page."""
    form = WorkspaceForm(request.GET if "workspace" in request.GET else None)
    if form.is_valid():
        return redirect(f"{tenant_url(form.cleaned_data['workspace'], request)}accounts/login/")
    return render(request, "accounts/public_login.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def find_workspace(request):
    """Every valid address gets the same "check your e-mail" answer; the look-up and
    the mail happen in a task (accounts.tasks), so nothing here depends on it."""
    form = FindWorkspaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        throttle = FindWorkspaceRateThrottle()
        if not throttle.allow_request(request, None):
            wait = ceil(throttle.wait() or 1)
            response = render(request, "accounts/find_workspace.html",
                              {"form": form, "wait_minutes": ceil(wait / 60)}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            scheme, port = request_origin(request)
            send_workspace_list.delay_on_commit(email=form.cleaned_data["email"], scheme=scheme, port=port)
            return redirect("find-workspace-sent")
    return render(request, "accounts/find_workspace.html", {"form": form}, status=400 if form.errors else 200)


def find_workspace_sent(request):
    return render(request, "accounts/find_workspace_sent.html")
