"""The signed regulator bundle: it verifies, and every kind of tampering is named."""

import base64
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from reports import services
from tools import verify_bundle
from violations import audit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bundle(closed_case, world, signing_key, tmp_path):
    path = tmp_path / "bundle.zip"
    with open(path, "wb") as fh:
        result = services.bundle_export(
            case=closed_case, actor=world.auditor, dest=fh, recipient="HKMA Enforcement"
        )
    return path, result


def _rewrite(src: Path, dst: Path, *, drop=(), replace=None, add=None):
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            data = zin.read(name)
            zout.writestr(name, replace[name](data) if name in replace else data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _flip_one_byte(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def test_bundle_holds_every_file_and_verifies(bundle, signing_key, closed_case, capsys):
    path, _result = bundle
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        case_doc = json.loads(zf.read("case.json"))
        events = json.loads(zf.read("events.json"))
        manifest = json.loads(zf.read("manifest.json"))

    assert names == [
        "case.json",
        "casefile.pdf",
        "events.json",
        "evidence/001-call.txt",
        "manifest.json",
        "manifest.sig",
    ]
    assert [f["path"] for f in manifest["files"]] == [
        "case.json",
        "casefile.pdf",
        "events.json",
        "evidence/001-call.txt",
    ]
    assert manifest["case"] == closed_case.reference
    assert manifest["profile"] == "regulator"
    assert manifest["recipient"] == "HKMA Enforcement"
    assert manifest["chain"]["head_hash"] == events["events"][-1]["hash"]
    assert manifest["chain"]["length"] == len(events["events"])
    schema = json.loads((ROOT / "docs" / "case-schema-v2.json").read_text())
    jsonschema.validate(case_doc, schema)

    report = verify_bundle.verify(str(path), signing_key.read_bytes())
    assert report.files == 4
    assert report.case == closed_case.reference

    call_command("verify_bundle", str(path), "--public-key", str(signing_key))
    out = capsys.readouterr().out
    assert out.startswith(
        f"OK: bundle for case {closed_case.reference} (regulator profile) verified."
    )


def test_export_is_an_audit_event(bundle, world, closed_case):
    _path, result = bundle
    event = audit.events_of(closed_case).filter(action="case.exported").get()

    assert event.actor == world.auditor
    assert event.payload["format"] == "bundle"
    assert event.payload["profile"] == "regulator"
    assert event.payload["recipient"] == "HKMA Enforcement"
    assert event.payload["manifest_sha256"] == result.manifest_sha256
    assert event.payload["chain_head"] == result.manifest["chain"]["head_hash"]


def _other_signature(_data: bytes) -> bytes:
    """A well-formed signature, but by another key over other bytes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return base64.b64encode(Ed25519PrivateKey.generate().sign(b"something else")) + b"\n"


TAMPERING = {
    "pdf_byte": (dict(replace={"casefile.pdf": _flip_one_byte}), "hash mismatch: casefile.pdf"),
    "case_json": (
        dict(replace={"case.json": lambda d: d.replace(b'"major"', b'"minor"', 1)}),
        "hash mismatch: case.json",
    ),
    "dropped_evidence": (
        dict(drop=("evidence/001-call.txt",)),
        "missing file: evidence/001-call.txt",
    ),
    "added_file": (
        dict(add={"evidence/extra.txt": b"planted"}),
        "extra file: evidence/extra.txt is not listed in the manifest",
    ),
    "swapped_signature": (
        dict(replace={"manifest.sig": _other_signature}),
        "bad signature: manifest.sig is not a valid signature of manifest.json",
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_each_tampering_is_caught_with_its_message(bundle, signing_key, tmp_path, kind, capsys):
    path, _ = bundle
    change, message = TAMPERING[kind]
    bad = _rewrite(path, tmp_path / f"{kind}.zip", **change)

    with pytest.raises(verify_bundle.BundleInvalid) as exc:
        verify_bundle.verify(str(bad), signing_key.read_bytes())
    assert str(exc.value).startswith(message)

    with pytest.raises(SystemExit) as exit_:
        call_command("verify_bundle", str(bad), "--public-key", str(signing_key))
    assert exit_.value.code == 1
    assert f"FAILED: {message}" in capsys.readouterr().err


def test_wrong_key_is_a_bad_signature(bundle, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path, _ = bundle
    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    with pytest.raises(verify_bundle.BundleInvalid, match=r"^bad signature: "):
        verify_bundle.verify(str(path), other)


def test_a_rewritten_event_breaks_the_chain_even_with_a_fresh_manifest(bundle, tmp_path, settings):
    """An insider with the signing key who edits history still cannot hide it from the chain."""
    from reports import signing

    path, _ = bundle
    members = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            members[name] = zf.read(name)
    events = json.loads(members["events.json"])
    events["events"][3]["content"]["reason"] = "nothing to see"
    members["events.json"] = json.dumps(events).encode()
    manifest = json.loads(members["manifest.json"])
    import hashlib

    for entry in manifest["files"]:
        if entry["path"] == "events.json":
            entry["sha256"] = hashlib.sha256(members["events.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    key = signing.load_private_key()
    members["manifest.sig"] = signing.sign(key, members["manifest.json"])
    bad = tmp_path / "rewritten.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    public = tmp_path / "pub.pem"
    public.write_bytes(signing.public_pem(key))

    with pytest.raises(
        verify_bundle.BundleInvalid, match=r"^chain break: event 4 does not match its hash"
    ):
        verify_bundle.verify(str(bad), public.read_bytes())


def _standalone(*args):
    """The script as a regulator runs it: plain Python, no Django, no database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "verify_bundle.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=60,
    )


def test_standalone_script_agrees_with_the_command(bundle, signing_key, tmp_path):
    path, _ = bundle
    ok = _standalone(str(path), "--public-key", str(signing_key))
    assert ok.returncode == 0, ok.stderr
    assert "verified" in ok.stdout

    for kind, (change, message) in TAMPERING.items():
        bad = _rewrite(path, tmp_path / f"s-{kind}.zip", **change)
        run = _standalone(str(bad), "--public-key", str(signing_key))
        assert run.returncode == 1
        assert run.stderr.startswith(f"FAILED: {message}"), (kind, run.stderr)


def test_verify_bundle_command_needs_no_database(bundle, signing_key):
    path, _ = bundle
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none", "DJANGO_DEBUG": "1"}
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "verify_bundle",
            str(path),
            "--public-key",
            str(signing_key),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "verified" in run.stdout
