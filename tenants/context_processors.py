from django.db import connection


def tenant(request):
    """The current tenant for templates; None on the public site."""
    current = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    if current is None or current.schema_name == "public":
        return {"current_tenant": None}
    return {"current_tenant": current}
