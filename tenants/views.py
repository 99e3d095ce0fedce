"""Pages of the public site: the landing page and sign-up."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenants.handoff import handoff_token
from tenants.signup import SignupForm, sign_up, tenant_url


def landing(request):
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = sign_up(**form.cleaned_data)
        # The owner is logged in on their own host through a hand-off link.
        handoff = handoff_token(result.user_id, result.tenant.schema_name)
        return redirect(f"{tenant_url(result.tenant.slug, request)}accounts/welcome/{handoff}/")
    return render(request, "tenants/signup.html", {"form": form}, status=400 if form.errors else 200)
