from django.utils.functional import SimpleLazyObject

from accounts.roles import role_of


def notifications(request):
    """Unread notifications for the header, counted only if a template asks."""

    def unread() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(user, "notifications"):
            return 0
        return user.notifications.filter(read_at__isnull=True).count() if role_of(user) else 0

    return {"unread_notifications": SimpleLazyObject(unread)}
