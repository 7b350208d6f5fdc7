"""Withheld content stays withheld: a bundle publishes a withheld field of an event only as
a salted commitment, so no list of candidates confirms a withheld name, login, staff number
or contact; the chain still verifies; the institution can open a commitment to prove a
value."""

import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction

from ledger import signing
from ledger.chain import event_content
from ledger.digest import canonical_json
from reports import services
from reports.casefile import Profile
from tests.reports.conftest import walk_to_close
from tools import verify_bundle
from violations import audit

PLACEHOLDER = re.compile(r"\[withheld\]|Person [A-Z]+|Staff \d+|Customer")


def substitute(value, candidate):
    """The redacted value with every placeholder replaced by ``candidate``: a guess."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(candidate, value)
    if isinstance(value, list):
        return [substitute(v, candidate) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, candidate) for k, v in value.items()}
    return value


@pytest.fixture
def bulletin(world, walk, signing_key, tmp_path):
    """A closed case whose customer and reporter have names and contacts, exported to the
    bulletin profile (which withholds every person)."""
    world.reporter.username = "tipster.mei"
    world.reporter.first_name, world.reporter.last_name = "Mei", "Tipster"
    world.reporter.save()
    case = walk_to_close(walk, world)
    case.customer_contact = "+852 9123 4567"
    with transaction.atomic():
        audit.save(case, actor=world.manager, reason="contact", update_fields=["customer_contact"])
        audit.record(action="case.updated", actor=world.manager, case=case)
    path = tmp_path / "bulletin.zip"
    with open(path, "wb") as fh:
        services.bundle_export(case=case, actor=None, dest=fh, profile=Profile.BULLETIN)
    public = tmp_path / "public.pem"
    public.write_bytes(signing.public_pem(signing_key))
    with zipfile.ZipFile(path) as zf:
        events = json.loads(zf.read("events.json"))["events"]
        everything = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
    return case, path, public, events, everything


def candidates(world, case):
    true = [
        "tipster.mei",
        "Mei Tipster",
        world.subject.name,
        world.subject.staff_number,
        world.subject2.name,
        "investigator2",
        "depthead",
        case.customer_name,
        case.customer_contact,
    ]
    decoys = ["Wong Ka Ho", "E000001", "officer9", "+852 0000 0000"]
    return [c for c in true if c] + decoys


def test_no_candidate_confirms_a_withheld_value(bulletin, world):
    case, _path, _public, events, everything = bulletin
    guesses = candidates(world, case)
    published = set(re.findall(r"[0-9a-f]{64}", everything))
    salts = {s for e in events for s in (e.get("salts") or {}).values()}
    withheld_events = [e for e in events if e["redacted"]]
    assert len(withheld_events) > 5
    assert all(e.get("commitments") for e in withheld_events)

    for guess in guesses:
        # A plain hash of the guess, or of its JSON, appears nowhere in the bundle.
        for form in (guess.encode(), canonical_json(guess)):
            assert hashlib.sha256(form).hexdigest() not in published, guess
        for event in withheld_events:
            content = substitute(event["content"], guess)
            # The old attack: the event's content rebuilt with the guess, hashed.
            assert hashlib.sha256(canonical_json(content)).hexdigest() != event["hash"]
            for name, commit in event["commitments"].items():
                tries = [canonical_json(content[name]), canonical_json(["", content[name]])]
                tries += [canonical_json([salt, content[name]]) for salt in salts]
                assert commit not in {hashlib.sha256(t).hexdigest() for t in tries}, (guess, name)


def test_the_same_guessing_recovers_a_value_from_a_plain_hash(bulletin, world):
    """The attack above is real: against the hash of an event's plain content (what a bundle
    published before commitments) the true guess confirms the value."""
    case, _path, _public, events, _ = bulletin
    stored = {e.seq: e for e in audit.events_of(case).select_related("chain")}
    confirmed = set()
    for event in (e for e in events if e["redacted"]):
        plain = hashlib.sha256(canonical_json(event_content(stored[event["seq"]]))).hexdigest()
        for guess in candidates(world, case):
            content = substitute(event["content"], guess)
            content["actor"] = stored[event["seq"]].actor_id  # ids are a short list too
            content["records"] = stored[event["seq"]].records  # as a bundle showed them
            if hashlib.sha256(canonical_json(content)).hexdigest() == plain:
                confirmed.add(guess)
    assert confirmed  # e.g. the actor's login behind "Staff 1"


def test_the_bundle_still_verifies_every_event_by_its_hash(bulletin):
    _case, path, public, events, _ = bulletin

    report = verify_bundle.verify(str(path), public.read_bytes())

    assert report.events == len(events)
    assert report.redacted_events == len([e for e in events if e["redacted"]])


def test_a_withheld_field_changed_in_the_bundle_breaks_its_hash(bulletin, tmp_path):
    _case, path, public, events, _ = bulletin
    target = next(e for e in events if e["redacted"])
    field = target["redacted"][0]
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(members["events.json"])
    doc["events"][target["seq"] - 1]["commitments"][field] = "0" * 64
    members["events.json"] = json.dumps(doc).encode()
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "events.json":
            entry["sha256"] = hashlib.sha256(members["events.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    members["manifest.sig"] = signing.sign(signing.load_private_key(), members["manifest.json"])
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)

    with pytest.raises(verify_bundle.BundleInvalid, match=f"event {target['seq']} does not match"):
        verify_bundle.verify(str(bad), public.read_bytes())


def test_the_institution_opens_a_commitment_and_the_recipient_checks_it(bulletin, tmp_path):
    case, path, public, events, _ = bulletin
    target = next(e for e in events if "actor_name" in e["redacted"])
    out = io.StringIO()
    call_command("audit_open", case.reference, str(target["seq"]), "actor_name", stdout=out)
    opening = json.loads(out.getvalue())
    good = tmp_path / "opening.json"
    good.write_text(json.dumps(opening))

    stdout, stderr = io.StringIO(), io.StringIO()
    code = verify_bundle.main(
        [str(path), "--public-key", str(public), "--open", str(good)], out=stdout, err=stderr
    )
    assert (code, stderr.getvalue()) == (0, "")
    assert (
        f"opening: event {target['seq']} field actor_name was "
        f"{json.dumps(opening['value'], ensure_ascii=False)}"
    ) in stdout.getvalue()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**opening, "value": "somebody.else"}))
    code = verify_bundle.main(
        [str(path), "--public-key", str(public), "--open", str(forged)],
        out=io.StringIO(),
        err=stderr,
    )
    assert code == 1
    assert "opening: the value does not open the commitment" in stderr.getvalue()
