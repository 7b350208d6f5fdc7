"""django-axes's login records in the admin: read-only.

A failed login or a lockout is evidence; its record is not edited or deleted by hand. The one
write left is deleting a running lockout (an ``AccessAttempt``) to let someone sign in again,
and that lands on the system chain as ``login.lockout_lifted`` (``security.receivers``).
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _NoDelete(_ReadOnly):
    def has_delete_permission(self, request, obj=None):
        return False


class LockoutAdmin(_ReadOnly, AccessAttemptAdmin):
    pass


class LoginLogAdmin(_NoDelete, AccessLogAdmin):
    pass


class LoginFailureLogAdmin(_NoDelete, AccessFailureLogAdmin):
    pass


for model, model_admin in (
    (AccessAttempt, LockoutAdmin),
    (AccessLog, LoginLogAdmin),
    (AccessFailureLog, LoginFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
