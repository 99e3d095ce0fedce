from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "Too many failed attempts for this e-mail from your address. Try again in 15 minutes."


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once an e-mail is locked from an address: JSON for the
    API (it speaks JSON errors everywhere), the friendly page for browsers."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=429)
    return render(request, "accounts/locked.html", status=429)
