"""Pages of the public site: the landing page and sign-up."""

from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenants.signup import SignupForm, sign_up, tenant_url

HANDOFF_SALT = "kpihub.signup-handoff"


def landing(request):
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = sign_up(**form.cleaned_data)
        # The session belongs to the tenant's own schema and host, so the owner is
        # logged in there through a short-lived, signed, single-use hand-off link.
        handoff = signing.dumps({"u": result.user_id, "s": result.tenant.schema_name},
                                salt=HANDOFF_SALT)
        return redirect(f"{tenant_url(result.tenant.slug, request)}accounts/welcome/{handoff}/")
    return render(request, "tenants/signup.html", {"form": form}, status=400 if form.errors else 200)
