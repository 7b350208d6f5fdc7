"""Exports refuse a case that does not verify; a bundle carries the ledger checkpoint and
the Merkle inclusion proof of its case head, which the offline verifier checks; and
``--previous`` shows whether a later bundle extends an earlier one."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from ledger import signing
from ledger.models import AuditEvent, Checkpoint
from reports import services
from tools import verify_bundle
from violations import audit
from violations.models import Case, Evidence

from .tamper import rewrite_and_rehash, set_column


@pytest.fixture
def public_key(signing_key, tmp_path):
    path = tmp_path / "public.pem"
    path.write_bytes(signing.public_pem(signing_key))
    return path


def export(case, path, actor=None):
    with open(path, "wb") as fh:
        return services.bundle_export(case=case, actor=actor, dest=fh)


def run_tool(*args):
    out, err = io.StringIO(), io.StringIO()
    code = verify_bundle.main([str(a) for a in args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_bundle_carries_a_checkpoint_and_the_inclusion_proof_of_its_head(
    case, public_key, tmp_path
):
    head = audit.chain_head(case)
    result = export(case, tmp_path / "b.zip")

    ledger = result.manifest["ledger"]
    assert ledger["inclusion"]["leaf"] == [head.chain, head.seq, head.hash]
    assert ledger["checkpoint"]["signed"]["number"] == Checkpoint.objects.get().number
    assert "chains" not in ledger["checkpoint"]  # no other case's head travels
    code, out, err = run_tool(tmp_path / "b.zip", "--public-key", public_key)
    assert (code, err) == (0, "")
    assert "ledger checkpoint: #1 of " in out
    assert f"the case's chain head is leaf {ledger['inclusion']['leaf_index']} of 2" in out
    # The export's own event comes after the head it signs; the next checkpoint covers it.
    assert audit.events_of(case).last().action == "case.exported"
    assert audit.chain_head(case).seq == head.seq + 1


def _resign(src, dst, change):
    """An insider with the key rewrites the manifest and signs it again."""
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    members["manifest.sig"] = signing.sign(signing.load_private_key(), members["manifest.json"])
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda m: m["ledger"]["inclusion"]["path"].__setitem__(0, "00" * 32),
            "checkpoint: the case's chain head is not in the signed ledger checkpoint",
        ),
        (
            lambda m: m["ledger"]["inclusion"].__setitem__("leaf", ["case:1", 1, "0" * 64]),
            "checkpoint: the inclusion proof is for another chain head than the bundle's",
        ),
        (
            lambda m: m["ledger"]["checkpoint"]["signed"].__setitem__("root_hash", "1" * 64),
            "checkpoint: the ledger checkpoint's signature does not hold for this public key",
        ),
    ],
)
def test_a_forged_anchor_is_caught_offline(case, public_key, tmp_path, change, message):
    export(case, tmp_path / "b.zip")
    bad = _resign(tmp_path / "b.zip", tmp_path / "bad.zip", change)

    code, out, err = run_tool(bad, "--public-key", public_key)

    assert (code, out) == (1, "")
    assert err.startswith(f"FAILED: {message}")


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty"])
def test_a_damaged_zip_gives_a_failed_line(case, public_key, tmp_path, damage):
    export(case, tmp_path / "b.zip")
    data = (tmp_path / "b.zip").read_bytes()
    if damage == "truncated":
        data = data[: len(data) * 2 // 3]
    elif damage == "flipped":
        i = len(data) // 3
        data = data[:i] + bytes(b ^ 0xFF for b in data[i : i + 64]) + data[i + 64 :]
    else:
        data = b""
    (tmp_path / "bad.zip").write_bytes(data)

    code, out, err = run_tool(tmp_path / "bad.zip", "--public-key", public_key)

    assert (code, out) == (1, "")
    assert err.startswith("FAILED: ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_previous_shows_the_new_bundle_extends_the_old_one(case, walk, public_key, tmp_path):
    export(case, tmp_path / "old.zip")
    walk.decide(case)
    export(case, tmp_path / "new.zip")

    code, out, _ = run_tool(
        tmp_path / "new.zip", "--public-key", public_key, "--previous", tmp_path / "old.zip"
    )

    assert code == 0
    old_len = json.loads(zipfile.ZipFile(tmp_path / "old.zip").read("manifest.json"))["chain"][
        "length"
    ]
    assert f"previous bundle: this chain extends it: events 1 to {old_len} unchanged" in out
    # The other way round, the old bundle does not extend the new one.
    code, _, err = run_tool(
        tmp_path / "old.zip", "--public-key", public_key, "--previous", tmp_path / "new.zip"
    )
    assert code == 1
    assert "history was removed" in err


def test_previous_catches_history_rewritten_between_two_bundles(case, public_key, tmp_path):
    """The DBA rewrites and rehashes the chain and, to get the export past the checkpoint,
    deletes the stored checkpoints too: the recipient's earlier bundle still shows it."""
    export(case, tmp_path / "old.zip")
    rewrite_and_rehash(case, 2, reason="rewritten")
    Checkpoint.objects.all().delete()
    export(case, tmp_path / "new.zip")

    code, _, err = run_tool(
        tmp_path / "new.zip", "--public-key", public_key, "--previous", tmp_path / "old.zip"
    )

    assert code == 1
    assert err.startswith("FAILED: previous bundle: event ")
    assert "the history between the two bundles was rewritten" in err


def test_export_of_a_rewritten_chain_is_refused_against_the_checkpoint(case, signing_key, tmp_path):
    export(case, tmp_path / "old.zip")
    rewrite_and_rehash(case, 2, reason="rewritten")
    before = AuditEvent.objects.count()

    with pytest.raises(services.ExportRefused, match="no longer has the hash checkpoint #1"):
        export(case, tmp_path / "new.zip")
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("tamper", ["row", "file"])
def test_export_of_a_tampered_case_is_refused_everywhere(
    case, world, signing_key, tmp_path, tamper
):
    if tamper == "row":
        set_column(Case, case.pk, "title", "Nothing happened")
        expected = f"violations.case #{case.pk}: row differs"
    else:
        evidence = Evidence.objects.get(case=case)
        with open(default_storage.path(evidence.file.name), "wb") as fh:
            fh.write(b"forged")
        expected = f"violations.evidence #{evidence.pk}: file"
    before = audit.events_of(case).count()

    with pytest.raises(services.ExportRefused, match=expected):
        export(case, tmp_path / "b.zip")
    with pytest.raises(services.ExportRefused, match=expected):
        services.casefile_export(case=case, actor=None)
    with pytest.raises(CommandError, match=f"Case {case.reference} was not exported"):
        call_command("export_case", case.reference, "--out", str(tmp_path / "out"))
    client = Client()
    client.force_login(world.auditor)
    for url in (
        f"/reports/cases/{case.reference}/bundle.zip",
        f"/reports/cases/{case.reference}/casefile.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 409, url
        assert "was not exported" in response.content.decode()
        assert expected in response.content.decode()
    # Nothing on the case's chain (the auditor's login is a security event, elsewhere).
    assert audit.events_of(case).count() == before
    assert not AuditEvent.objects.filter(action="case.exported").exists()
    assert not Checkpoint.objects.exists()
    assert not list((tmp_path / "out").glob("*.zip"))
