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

import opencc

from .casefile import WITHHELD

_TO_SIMPLIFIED = opencc.OpenCC("t2s")
_TO_TRADITIONAL = opencc.OpenCC("s2t")

# Keys whose values are digests: never scrubbed (a short name could match inside hex).
_DIGEST_KEYS = {"hash", "prev_hash", "digest", "sha256", "head_hash"}


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE_LIKE = re.compile(r"\+?[\d(][\d\s().\-]{5,}\d")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
# Between two parts of a name: nothing, spaces, a hyphen, a dot or a comma ("CHAN, Tai-man").
_NAME_GAP = r"[\s\-.,\u00b7]*"
# Between digits of a phone number: up to three spaces, dots, hyphens or dashes.
_DIGIT_GAP = r"[\s.\-\u2010-\u2015]{0,3}"
# Values are matched as whole words of Latin letters and digits only: Chinese characters
# next to a value are not a word boundary to Python's regex ("員工W0002", "電話61234567").
_BEFORE, _AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
# Forms of address are not part of a name: "Madam Wong Siu Fong" is also "Wong Siu-fong".
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mdm", "madam", "dr", "sir", "prof"})


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _is_phone(value: str) -> bool:
    return bool(re.fullmatch(r"[\d\s+().\-]+", value)) and 7 <= len(_digits(value)) <= 15


def _phone(value: str) -> str:
    """A phone number by its digits: the last eight (the subscriber number in Hong Kong)
    with any separators, optionally after its country code with or without "+" or "00"."""
    digits = _digits(value)
    local, country = (digits[-8:], digits[:-8]) if len(digits) > 8 else (digits, "")
    body = _DIGIT_GAP.join(local)
    code = re.escape(country) if country else r"\d{1,3}"
    prefix = rf"(?:\+|00)\s*\(?\s*{code}\s*\)?|\(\s*\+?{code}\s*\)"
    if country:
        prefix += rf"|{code}"
    return rf"{_BEFORE}(?:(?:{prefix})[\s.\-]*)?{body}{_AFTER}"


def _email(value: str) -> str:
    return rf"(?<![\w.+\-])(?i:{re.escape(value)})(?![\w\-])"


def _latin_name(words: list[str]) -> str:
    return rf"{_BEFORE}(?i:{_NAME_GAP.join(re.escape(w) for w in words)}){_AFTER}"


def _chinese(run: str) -> str:
    """Chinese characters in Traditional or Simplified form, with or without spaces."""
    return r"\s*".join(_forms(ch) for ch in run)


def _forms(ch: str) -> str:
    forms = {ch, _TO_SIMPLIFIED.convert(ch), _TO_TRADITIONAL.convert(ch)}
    forms = {f for f in forms if len(f) == 1}
    return re.escape(ch) if len(forms) == 1 else "[" + "".join(sorted(forms)) + "]"


def spellings(value: str) -> list[str]:
    """Regular expressions for every way ``value`` may be written.

    An e-mail address in any case; a phone number by its digits; a name in any order of
    its Latin words (family name first or last), with or without spaces, hyphens or case,
    and its Chinese characters alone, in either script, with or without spaces; anything
    else as a whole word in any case. A value holding several (a contact field "6123 4567 /
    chan@example.com", a name "Lam Kin Wai（林建偉）") gives the spellings of each part.
    """
    value = value.strip()
    if _EMAIL.fullmatch(value):
        return [_email(value)]
    if _is_phone(value):
        return [_phone(value)]
    out = [rf"{_BEFORE}(?i:{re.escape(value)}){_AFTER}"]
    out += [_email(m.group()) for m in _EMAIL.finditer(value)]
    out += [_phone(m.group()) for m in _PHONE_LIKE.finditer(value) if _is_phone(m.group())]
    words = [
        w
        for w in _LATIN_WORD.findall(_EMAIL.sub(" ", value))
        if w.casefold().rstrip(".") not in _TITLES
    ]
    if len(words) >= 2:
        for order in (words, words[1:] + words[:1], words[-1:] + words[:-1]):
            out.append(_latin_name(order))
    out += [_chinese(run) for run in _CJK.findall(value) if len(run) >= 2]
    return list(dict.fromkeys(out))


def scrub_contacts(text: str, marker: str) -> str:
    """Every e-mail address and phone number in ``text``, known or not, replaced by
    ``marker`` (for a text published to all staff, where no contact detail belongs)."""
    text = _EMAIL.sub(marker, text)
    return _PHONE_LIKE.sub(lambda m: marker if _is_phone(m.group()) else m.group(), text)


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
        private_actions: tuple[str, ...] = (),
        private_payload: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.replacements = {
            k: v for k, v in (replacements or {}).items() if k and len(k.strip()) >= 2
        }
        # One pass over each string; longest value first, so "Chan Tai Man" wins over a
        # shorter "Chan" where both match.
        self._shown: dict[str, str] = {}
        alternatives = []
        for value, repl in sorted(self.replacements.items(), key=lambda kv: -len(kv[0])):
            for source in spellings(value):
                name = f"v{len(self._shown)}"
                self._shown[name] = repl
                alternatives.append(f"(?P<{name}>{source})")
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None
        self.users = dict(users or {})
        self.hidden_user_ids = set(hidden_user_ids)
        # Usernames are replaced only where a value is exactly a username (payload fields),
        # never inside prose: short usernames such as "hr" are ordinary words.
        self.usernames = dict(usernames or {})
        # How a user is named where nothing is withheld: "Name, Position" (never the login).
        self.names = dict(names or {})
        # Audit actions whose reason is a person's own words (an appeal's grounds): withheld
        # whole, as the records they belong to are.
        self.private_actions = private_actions
        # Payload keys, per action, holding a person's own words or what they were told (a
        # statement of defence, the notice of proposed sanctions): withheld whole.
        self.private_payload = dict(private_payload or {})

    @property
    def active(self) -> bool:
        return bool(self._pattern or self.usernames or self.hidden_user_ids)

    def text(self, value: str) -> str:
        if not value or self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self._shown[m.lastgroup], value)

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
        if key in _DIGEST_KEYS or key.endswith(("_sha256", "_hash", "_head")):
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
        reason = content.get("reason", "")
        private = self.private_actions and content.get("action", "").startswith(
            self.private_actions
        )
        out["reason"] = WITHHELD if private and reason else self.text(reason)
        payload = self.data(content.get("payload", {}))
        for key in self.private_payload.get(content.get("action", ""), ()):
            if isinstance(payload, dict) and payload.get(key):
                payload[key] = WITHHELD
        out["payload"] = payload
        if self.active and content.get("records"):
            # Digests of rows that hold withheld values: a row is guessable from a few
            # candidates, so its digest is withheld with them.
            out["records"] = WITHHELD
        touched = [
            k
            for k in ("actor", "actor_name", "reason", "payload", "records")
            if k in content and out.get(k) != content[k]
        ]
        return out, touched
