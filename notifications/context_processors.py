"""The header's unread count: one indexed COUNT, and only on pages that show it."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }
