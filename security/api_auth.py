"""How the API authenticates (casework's API and reports' downloads alike), and what a
service account's token may do there.

HTTP Basic serves only accounts that need no second factor. A privileged account
(:func:`security.mfa.second_factor_required`) proves itself with a password *and* a code;
Basic carries only the password, so for such an account it is refused (401) and the API is
used from a session that has passed its second factor.

Another system calls with its service account's token (``Authorization: Bearer …``,
:mod:`security.tokens`). DRF asks each authenticator in turn and takes the first that
answers: Basic passes a Bearer header on (it refuses every other scheme), the token class
takes it, and a bad, expired or revoked token is a 401 with one body whatever the reason.
:class:`TokenScope` then lets a token call only the operations of its scopes (403
otherwise), and :class:`TokenRateThrottle` limits each token to its own rate.

Each token's use is a ``api_token.used`` security event, at most one per token per minute
(the first call of the minute, which also moves ``last_used_at``): a ledger write per call
would make the system chain mostly "used" events. Refusals are ``api_token.refused``
events, at most one per address, reason and prefix per minute, for the same reason.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from . import mfa, tokens
from .events import request_address, security_event_record
from .models import ApiToken

USE_WINDOW = 60  # seconds: one "used" event per token, one "refused" per source and reason


class StrictBasicAuthentication(BasicAuthentication):
    """HTTP Basic; credentials of any other scheme but a token's are refused (401) rather
    than ignored in favour of a session cookie that happens to travel with them, and so are
    privileged accounts, which need their second factor."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme = header.split(" ", 1)[0].lower()
        if scheme == "bearer":
            return None  # TokenAuthentication's, next in API_AUTHENTICATION
        if header and scheme != "basic":
            raise exceptions.AuthenticationFailed(
                _("Only HTTP Basic credentials or a Bearer token are accepted.")
            )
        return super().authenticate(request)

    def authenticate_credentials(self, userid, password, request=None):
        user, auth = super().authenticate_credentials(userid, password, request)
        if mfa.second_factor_required(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "This account needs a second factor: password-only API access is refused. "
                    "Use a signed-in session that has passed its second factor."
                )
            )
        return user, auth


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer acct_<prefix>_<secret>``: a service account's API token."""

    keyword = "bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        try:
            plaintext = parts[1].decode("ascii") if len(parts) == 2 else ""
        except UnicodeDecodeError:
            plaintext = ""
        token = None
        if plaintext and len(plaintext) <= 200:
            token = (
                ApiToken.objects.filter(digest=tokens.digest(plaintext))
                .select_related("account__user")
                .first()
            )
        reason = "unknown" if token is None else token.refusal()
        if reason is not None:
            self._refused(request, reason, token, tokens.prefix_of(plaintext))
        self._used(request, token)
        return token.account.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def _refused(self, request, reason, token, prefix):
        address = request_address(request)
        key = f"api-token:refused:{address}:{reason}:{prefix}"
        if cache.add(key, 1, USE_WINDOW):
            payload = token.ref() if token else {"prefix": prefix}
            security_event_record(
                action="api_token.refused",
                payload={**payload, "why": reason, "address": address},
            )
        raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))

    def _used(self, request, token):
        if not cache.add(f"api-token:used:{token.pk}", 1, USE_WINDOW):
            return
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        security_event_record(
            action="api_token.used",
            actor=token.account.user,
            payload={**token.ref(), "address": request_address(request)},
        )


def operation_of(view, request) -> str | None:
    """The operation ``view`` names for this request (its ``api_operations``: one name, or
    one per viewset action or HTTP method)."""
    operations = getattr(view, "api_operations", None)
    if isinstance(operations, str):
        return operations
    if isinstance(operations, dict):
        method = request.method.lower()
        return operations.get(
            getattr(view, "action", None) or ("get" if method == "head" else method)
        )
    return None


class TokenScope(BasePermission):
    """A token calls only the operations its scopes list (security.tokens.SCOPES); every
    other caller passes (people are bounded by their roles and the cases' rules)."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        method = request.method.lower()
        if method == "options" or not callable(getattr(view, method, None)):
            return True  # DRF answers as for anyone: the view's description, or 405
        operation = operation_of(view, request)
        if operation is not None and operation in tokens.operations_of(token):
            return True
        raise OutOfScope(token)


class OutOfScope(exceptions.PermissionDenied):
    def __init__(self, token: ApiToken):
        super().__init__(
            detail={
                "detail": _("This token's scope (%(scopes)s) does not allow this operation.")
                % {"scopes": ", ".join(token.scopes)},
                "code": "out_of_scope",
            }
        )


def require_step(request, step: str) -> None:
    """A token works only on the steps its scopes name (a task of another step: 403)."""
    token = request.auth
    if isinstance(token, ApiToken) and step not in tokens.steps_of(token):
        raise OutOfScope(token)


class UserApiThrottle(UserRateThrottle):
    """Requests per person (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]``); past it,
    429. A token is limited by its own rate instead (:class:`TokenRateThrottle`)."""

    scope = "api"

    def allow_request(self, request, view):
        if isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token: the token's own rate, else ``API_TOKEN_RATE_LIMIT``
    (``DEFAULT_THROTTLE_RATES["api-token"]``); past it, 429."""

    scope = "api-token"

    def allow_request(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        self.rate = token.rate or self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


# What every API view uses. Basic first: its challenge is the one a 401 carries.
API_AUTHENTICATION = [StrictBasicAuthentication, TokenAuthentication, SessionAuthentication]
API_PERMISSIONS = [IsAuthenticated, TokenScope]
API_THROTTLES = [UserApiThrottle, TokenRateThrottle]
