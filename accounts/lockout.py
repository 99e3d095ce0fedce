from functools import wraps
from math import ceil

from django.http import JsonResponse
from django.shortcuts import render

from kpihub.throttling import LoginRateThrottle

MESSAGE = "Too many failed attempts for this e-mail from your address. Try again in 15 minutes."


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once an e-mail is locked from an address: JSON for the
    API (it speaks JSON errors everywhere), the friendly page for browsers."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=429)
    return render(request, "accounts/locked.html", status=429)


def limit_attempts_per_address(view):
    """A log-in form's POSTs limited per client address (LoginRateThrottle): past the
    rate, a 429 page that says when to try again, before any password is checked."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            throttle = LoginRateThrottle()
            if not throttle.allow_request(request, None):
                wait = ceil(throttle.wait() or 1)
                response = render(request, "accounts/too_many_attempts.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
