"""Errors that services raise. Every one carries a message fit to show the user."""

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """An action was refused; nothing was changed."""

    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(ServiceError, PermissionDenied):
    """The actor lacks the role, or segregation of duties forbids them this action."""

    status_code = 403


class Conflict(ServiceError):
    """The work was already done or taken by someone else (a race, or a stale page)."""

    status_code = 409


class InvalidState(ServiceError):
    """The case is not at a point where this action makes sense."""

    status_code = 409
