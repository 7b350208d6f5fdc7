"""What each recipient profile withholds, applied while the case file is built.

The selector decides *which* values are withheld (it knows the case); a :class:`Redactor`
applies that decision to every string that goes into the file: named fields are replaced
outright, free text and audit payloads are scrubbed of the withheld values, so a name typed
into a description does not slip through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .casefile import WITHHELD

# Keys whose values are digests: never scrubbed (a short name could match inside hex).
_DIGEST_KEYS = {"hash", "prev_hash", "digest", "sha256", "head_hash"}


def _pattern(value: str) -> re.Pattern[str]:
    escaped = re.escape(value)
    if value.isascii():
        # Whole words only, so "Lee" does not eat "Leeway"; case-insensitive for names.
        return re.compile(rf"(?<!\w){escaped}(?!\w)", re.IGNORECASE)
    # CJK names sit between other letters with no word boundary: match anywhere.
    return re.compile(escaped)


class Redactor:
    """Replaces withheld values in every string handed to it.

    ``replacements`` maps a withheld value to what is shown instead (a pseudonym or
    ``[withheld]``); ``users`` maps user ids to how the recipient sees them, and
    ``hidden_user_ids`` are users whose id is removed from audit content as well.
    """

    def __init__(
        self,
        *,
        replacements: dict[str, str] | None = None,
        users: dict[int, str] | None = None,
        hidden_user_ids: Iterable[int] = (),
        usernames: dict[str, str] | None = None,
        names: dict[int, str] | None = None,
    ) -> None:
        self.replacements = {
            k: v for k, v in (replacements or {}).items() if k and len(k.strip()) >= 2
        }
        # Longest first, so "Chan Tai Man" is replaced before a shorter "Chan".
        self._patterns = [
            (_pattern(value), repl)
            for value, repl in sorted(self.replacements.items(), key=lambda kv: -len(kv[0]))
        ]
        self.users = dict(users or {})
        self.hidden_user_ids = set(hidden_user_ids)
        # Usernames are replaced only where a value is exactly a username (payload fields),
        # never inside prose: short usernames such as "hr" are ordinary words.
        self.usernames = dict(usernames or {})
        # How a user is named where nothing is withheld: "Name, Position" (never the login).
        self.names = dict(names or {})

    @property
    def active(self) -> bool:
        return bool(self._patterns or self.usernames or self.hidden_user_ids)

    def text(self, value: str) -> str:
        if not value:
            return value
        for pattern, repl in self._patterns:
            value = pattern.sub(repl, value)
        return value

    def field(self, value: str) -> str:
        """A field that holds exactly one value (a name, a username, a reference)."""
        if not value:
            return value
        if value in self.usernames:
            return self.usernames[value]
        return self.text(value)

    def user(self, user) -> str:
        if user is None:
            return ""
        if user.pk in self.users:
            return self.users[user.pk]
        if user.pk in self.names:
            return self.text(self.names[user.pk])
        return self.field(user.get_username())

    def data(self, value: Any, key: str = "") -> Any:
        """Scrub a JSON-like value (audit payloads, computed evidence)."""
        if key in _DIGEST_KEYS:
            return value
        if isinstance(value, str):
            return self.field(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v, k) for k, v in value.items()}
        return value

    def event_content(self, content: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Redact the hashed content of an audit event; return it with the fields touched."""
        out = dict(content)
        actor_id = content.get("actor")
        if actor_id is not None and (actor_id in self.hidden_user_ids or actor_id in self.users):
            out["actor"] = None
            out["actor_name"] = self.users.get(actor_id, WITHHELD)
        else:
            out["actor_name"] = self.field(content.get("actor_name", ""))
        out["reason"] = self.text(content.get("reason", ""))
        out["payload"] = self.data(content.get("payload", {}))
        touched = [k for k in ("actor", "actor_name", "reason", "payload") if out[k] != content[k]]
        return out, touched
