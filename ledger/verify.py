"""Recompute the audit chains and hold every recorded digest against the database.

What is checked, in this order (the first problem found is the one reported first):

1. Each chain: sequence numbers run 1, 2, 3… without a gap; each event names the hash of the
   one before; each event's hash is the SHA-256 of its content (:func:`event_hash`); each
   chain row's length and head hash match the last event; and, given a recorded head (from a
   regulator bundle), the chain still holds it.
2. Each record an event vouched for, at its latest recorded digest: the live row still has
   that digest (or is still gone, if the event deleted it); every history row an event wrote
   still has its digest; the newest history row matches the recorded state (without M2M
   links, which history does not keep); no history row appeared after the record came under
   audit that no event wrote. A history row rewritten later (personal data erased after
   its retention) is held to the digest the rewriting event gave it, and that event must
   name, as the row's previous digest, the one the trail had recorded for it.
3. When every chain is checked: every row of a model that a subject's chain (any chain but
   the system chain) vouches for, and of each model the caller names as audited, is vouched
   for by some event (a row inserted behind the application's back has none). When one
   chain is checked, every row of the caller's ``scope`` (that subject's rows) is vouched
   for by that chain.
4. The content of files: a vouched row's file still has the SHA-256 its row records (the
   row's digest covers that column, so the bytes are vouched for too).
5. Signed checkpoints (:mod:`ledger.checkpoint`): every chain each names still holds the
   head it recorded, and each checkpoint extends the one before.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import models
from django.db.models import Q

from . import checkpoint as checkpoints_
from .chain import REFERENCE_KEY, SYSTEM_CHAIN, event_hash
from .digest import history_digest, history_model, model_of, record_digest, record_label
from .models import GENESIS_HASH, AuditChain, AuditEvent


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Report:
    chains: int = 0
    events: int = 0
    records: int = 0
    history_rows: int = 0
    files: int | None = None  # None: file contents not read
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else was established

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        files = "" if self.files is None else f", {self.files} files"
        checkpoints = f", {self.checkpoints} checkpoints" if self.checkpoints else ""
        return (
            f"{self.chains} chains, {self.events} events, {self.records} records, "
            f"{self.history_rows} history rows{files}{checkpoints}"
        )


@dataclass(frozen=True)
class ContentFile:
    """A model whose rows name a file and record its SHA-256: ``file_field`` holds the
    storage name, ``hash_field`` the hex SHA-256 of the bytes."""

    model: type[models.Model]
    file_field: str
    hash_field: str


Opener = Callable[[str], IO[bytes]]
Progress = Callable[[int, int], None]  # (files done, files in all)
_CHUNK = 1024 * 1024


@dataclass
class _Vouched:
    """What the events say about one record."""

    label: str
    pk: Any
    latest: dict[str, Any] = field(default_factory=dict)  # its entry in the latest event
    latest_at: tuple = ()
    latest_event: str = ""
    history: dict[int, tuple[str, str]] = field(default_factory=dict)  # hid -> (digest, event)


def _describe(event: AuditEvent, key: str) -> str:
    ref = event.payload.get(REFERENCE_KEY) if isinstance(event.payload, dict) else None
    return f"{key}{f' ({ref})' if ref else ''} event #{event.seq} {event.action}"


def _check_chain(
    chain: AuditChain,
    report: Report,
    vouched: dict,
    labels: set[str],
    *,
    head_seq=None,
    head_hash=None,
) -> None:
    expected_seq, prev, last = 1, GENESIS_HASH, None
    broken = False
    for event in chain.events.order_by("seq").iterator(chunk_size=500):
        report.events += 1
        where = _describe(event, chain.key)
        if not broken:
            what = None
            if event.seq != expected_seq:
                what = (
                    f"event #{expected_seq} is missing (the chain jumps to #{event.seq})"
                    if event.seq > expected_seq
                    else f"sequence #{event.seq} repeats or goes back"
                )
            elif event.prev_hash != prev:
                what = f"does not link to event #{event.seq - 1} (its previous-hash differs)"
            elif _hash_or_none(event) != event.hash:
                what = "content does not match its hash (the event was edited)"
            if what:
                report.problems.append(Problem(where, what))
                broken = True
        prev, last = event.hash, event
        expected_seq = event.seq + 1
        _collect(event, chain.key, vouched, labels, report)
    if broken:
        return
    length = last.seq if last else 0
    head = last.hash if last else GENESIS_HASH
    if chain.length != length or chain.head_hash != head:
        report.problems.append(
            Problem(
                f"chain {chain.key}",
                f"chain row says {chain.length} events ending in {chain.head_hash[:12]}…, "
                f"but the events end at #{length} ({head[:12]}…): events were removed or added",
            )
        )
        return
    if head_seq is not None:
        if head_seq > length:
            report.problems.append(
                Problem(
                    f"chain {chain.key}",
                    f"truncated: the recorded head is event #{head_seq} but the chain ends at #{length}",
                )
            )
        else:
            at = chain.events.filter(seq=head_seq).values_list("hash", flat=True).first()
            if at != head_hash:
                report.problems.append(
                    Problem(
                        f"chain {chain.key} event #{head_seq}",
                        "does not match the recorded head hash (the chain was rewritten)",
                    )
                )


def _hash_or_none(event: AuditEvent) -> str | None:
    """The event's hash, or None when a tampered salt is not even hexadecimal."""
    try:
        return event_hash(event)
    except ValueError:
        return None


def _collect(event: AuditEvent, key: str, vouched: dict, labels: set[str], report: Report) -> None:
    records = event.records if isinstance(event.records, list) else []
    # Within a chain the sequence orders events (clocks may step back); a record vouched for
    # on two chains is judged by the later event in time.
    order = (key, event.seq, event.occurred_at)
    where = _describe(event, key)
    for entry in records:
        if not isinstance(entry, dict) or "model" not in entry or "pk" not in entry:
            continue
        labels.add(entry["model"])
        item = vouched.setdefault(
            (entry["model"], entry["pk"]), _Vouched(entry["model"], entry["pk"])
        )
        if (
            not item.latest_at
            or (key == item.latest_at[0] and event.seq > item.latest_at[1])
            or (key != item.latest_at[0] and event.occurred_at > item.latest_at[2])
        ):
            item.latest, item.latest_at, item.latest_event = entry, order, where
        for hid, previous in entry.get("redacted") or []:
            recorded = item.history.get(hid)
            if recorded is None or recorded[0] != previous:
                report.problems.append(
                    Problem(
                        f"{entry['model']} #{entry['pk']}",
                        f"history row #{hid} was rewritten by {where} from a digest the "
                        "trail never recorded for it (it had been changed before)",
                    )
                )
        for hid, digest in entry.get("history") or []:
            item.history[hid] = (digest, where)


def _check_records(vouched: dict, report: Report) -> None:
    by_label: dict[str, list[_Vouched]] = defaultdict(list)
    for item in vouched.values():
        by_label[item.label].append(item)
    for label in sorted(by_label):
        items = sorted(by_label[label], key=lambda i: str(i.pk))
        try:
            model = model_of(label)
        except LookupError:
            report.problems.append(Problem(label, "events name a model that does not exist"))
            continue
        pks = [i.pk for i in items]
        live = model._base_manager.in_bulk(pks)
        hist_model = history_model(model)
        history: dict[Any, list] = defaultdict(list)
        if hist_model is not None:
            pk_name = model._meta.pk.attname
            for hist in hist_model._default_manager.filter(**{f"{pk_name}__in": pks}).order_by(
                "history_id"
            ):
                history[getattr(hist, pk_name)].append(hist)
        for item in items:
            report.records += 1
            where = f"{label} #{item.pk}"
            bad = _live_row_problem(item, live.get(item.pk))
            if bad is None and hist_model is not None:
                report.history_rows += len(item.history)
                bad = _history_problem(item, history.get(item.pk, []))
            if bad:
                report.problems.append(Problem(where, bad))


def _live_row_problem(item: _Vouched, row) -> str | None:
    """Whether the live row is as the latest event that vouched for it says."""
    entry = item.latest
    if entry.get("digest") is None:
        if row is not None:
            return f"deleted by {item.latest_event}, but the row exists"
        return None
    if row is None:
        return (
            f"row is missing (deleted behind the application's back; last vouched for by "
            f"{item.latest_event})"
        )
    if record_digest(row) != entry["digest"]:
        return (
            f"row differs from the digest recorded by {item.latest_event} "
            "(changed behind the application's back)"
        )
    return None


def _history_problem(item: _Vouched, rows: list) -> str | None:
    """Whether the record's history rows are the ones the events wrote, unchanged, with
    none added behind their back, the newest matching the state last vouched for."""
    by_id = {h.history_id: h for h in rows}
    for hid, (digest, event) in sorted(item.history.items()):
        hist = by_id.get(hid)
        if hist is None:
            return f"history row #{hid} written by {event} is missing"
        if history_digest(hist) != digest:
            return f"history row #{hid} differs from the digest recorded by {event}"
    if not item.history:
        return None
    first = min(item.history)
    stray = [
        h.history_id for h in rows if h.history_id > first and h.history_id not in item.history
    ]
    if stray:
        return f"history row #{stray[0]} was written by no audited action"
    if not rows:
        return None
    newest = rows[-1]
    if newest.history_type == "-":
        if item.latest.get("digest") is not None:
            return f"newest history row #{newest.history_id} says deleted, the trail does not"
    elif record_digest(newest.instance, m2m=False) != item.latest.get("fields"):
        return (
            f"newest history row #{newest.history_id} does not match the state "
            f"recorded by {item.latest_event}"
        )
    return None


def _check_unvouched(vouched: dict, labels: set[str], report: Report) -> None:
    seen: dict[str, set] = defaultdict(set)
    for label, pk in vouched:
        seen[label].add(pk)
    for label in sorted(labels):
        try:
            model = model_of(label)
        except LookupError:
            continue
        for pk in sorted(model._base_manager.values_list("pk", flat=True)):
            if pk not in seen[label]:
                report.problems.append(
                    Problem(
                        f"{label} #{pk}",
                        "no audit event vouches for this row (written behind the "
                        "application's back)",
                    )
                )
                break


def _check_scope(
    vouched: dict, scope: Mapping[type[models.Model], Q], chain: str, report: Report
) -> None:
    """Every row of the subject's own records is vouched for by its chain."""
    for model, condition in scope.items():
        label = record_label(model)
        pks = sorted(model._base_manager.filter(condition).values_list("pk", flat=True))
        for pk in pks:
            if (label, pk) not in vouched:
                report.problems.append(
                    Problem(
                        f"{label} #{pk}",
                        f"no event of chain {chain} vouches for this row (written behind "
                        "the application's back)",
                    )
                )
                break


def _check_files(
    vouched: dict,
    files: Sequence[ContentFile],
    open_file: Opener,
    report: Report,
    progress: Progress | None,
) -> None:
    """Read every vouched row's file and compare its SHA-256 with the row's."""
    todo: list[tuple[str, Any, str, str]] = []
    for spec in files:
        label = record_label(spec.model)
        live = {
            pk for (lab, pk), item in vouched.items() if lab == label and item.latest.get("digest")
        }
        rows = spec.model._base_manager.values_list("pk", spec.file_field, spec.hash_field)
        todo += [
            (label, pk, name, expected)
            for pk, name, expected in rows.iterator(chunk_size=2000)
            if name and pk in live
        ]
    todo.sort(key=lambda t: (t[0], str(t[1])))
    report.files = 0
    for done, (label, pk, name, expected) in enumerate(todo, start=1):
        digest = hashlib.sha256()
        try:
            with open_file(name) as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
        except (FileNotFoundError, IsADirectoryError):
            report.problems.append(Problem(f"{label} #{pk}", f"file {name} is missing"))
        except OSError as exc:
            report.problems.append(
                Problem(f"{label} #{pk}", f"file {name} cannot be read ({exc.strerror or exc})")
            )
        else:
            if digest.hexdigest() != expected:
                report.problems.append(
                    Problem(
                        f"{label} #{pk}",
                        f"file {name} no longer has the SHA-256 its row records "
                        "(its bytes were changed)",
                    )
                )
        report.files += 1
        if progress is not None:
            progress(done, len(todo))


def _check_checkpoints(
    signed: Sequence[checkpoints_.SignedCheckpoint],
    untrusted: Iterable[str],
    chain: str | None,
    report: Report,
) -> None:
    for message in untrusted:
        report.problems.append(Problem("checkpoint", message))
    for cp in signed:
        report.checkpoints += 1
        for key, what in checkpoints_.check_against_ledger(cp, only=chain):
            report.problems.append(Problem(f"chain {key}", what))
    if chain is not None:
        return
    consistent = True
    for older, newer in itertools.pairwise(signed):
        for key, what in checkpoints_.check_consistency(older, newer):
            consistent = False
            report.problems.append(Problem(f"chain {key}", what))
    if signed and consistent:
        report.notes.append(
            f"checkpoints #{signed[0].number} to #{signed[-1].number}: each extends the one "
            "before (append-only) and the ledger still holds every head they recorded"
            if len(signed) > 1
            else f"checkpoint #{signed[0].number}: the ledger still holds every head it recorded"
        )


def verify(
    *,
    chain: str | None = None,
    head_seq: int | None = None,
    head_hash: str | None = None,
    audited_models: Sequence[type[models.Model]] = (),
    scope: Mapping[type[models.Model], Q] | None = None,
    files: Sequence[ContentFile] = (),
    open_file: Opener | None = None,
    progress: Progress | None = None,
    checkpoints: Sequence[checkpoints_.SignedCheckpoint] = (),
    untrusted_checkpoints: Iterable[str] = (),
) -> Report:
    """Check every chain (or the one keyed ``chain``) and the records it vouches for.

    ``head_seq``/``head_hash`` are a chain head recorded earlier (for example in a regulator
    bundle); they apply to ``chain``, or to the system chain when every chain is checked.
    ``audited_models``: models every row of which must be vouched for (checked when every
    chain is); ``scope``: the rows the one ``chain`` must vouch for. ``files`` with
    ``open_file``: file contents to check against their recorded SHA-256 (``progress`` is
    told of each). ``checkpoints``: signed checkpoints the ledger must still hold (already
    checked for signature); ``untrusted_checkpoints``: why others were refused.
    """
    report = Report()
    if chain is not None:
        chains = list(AuditChain.objects.filter(key=chain))
        if not chains:
            report.problems.append(Problem(chain, "there is no such audit chain"))
            return report
    else:
        chains = sorted(AuditChain.objects.all(), key=lambda c: (c.key != SYSTEM_CHAIN, c.pk))
    head_key = chain or SYSTEM_CHAIN
    vouched: dict[tuple[str, Any], _Vouched] = {}
    subject_labels: set[str] = set()
    for row in chains:
        report.chains += 1
        is_head = row.key == head_key and head_seq is not None
        _check_chain(
            row,
            report,
            vouched,
            subject_labels if row.key != SYSTEM_CHAIN else set(),
            head_seq=head_seq if is_head else None,
            head_hash=head_hash if is_head else None,
        )
    if head_seq is not None and head_key not in {c.key for c in chains}:
        report.problems.append(Problem(head_key, "the chain of the recorded head is missing"))
    _check_records(vouched, report)
    if chain is None:
        _check_unvouched(
            vouched, subject_labels | {record_label(m) for m in audited_models}, report
        )
    elif scope:
        _check_scope(vouched, scope, chain, report)
    if files and open_file is not None:
        _check_files(vouched, files, open_file, report, progress)
    _check_checkpoints(checkpoints, untrusted_checkpoints, chain, report)
    return report
