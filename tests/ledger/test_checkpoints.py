"""Signed checkpoints: a wipe, an erased case and a rewrite-and-rehash, each consistent in
itself and invisible to the chains alone, are caught against a checkpoint, stored or kept
outside the database; a checkpoint signed with another key is refused."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import transaction

from ledger import checkpoint, merkle
from ledger.models import AuditChain, Checkpoint
from violations import audit

from .tamper import erase_case, raw_sql, rewrite_and_rehash, run_verify, wipe_ledger


def test_a_checkpoint_signs_the_root_of_every_chain_head(
    case, signing_key, checkpoint_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cp = checkpoint.checkpoint_create()

    heads = sorted(AuditChain.objects.values_list("key", "length", "head_hash"))
    assert [list(h) for h in heads] == cp.document()["chains"]
    assert cp.root_hash == merkle.root([checkpoint.ChainState(*h).leaf() for h in heads])
    assert Checkpoint.objects.get().root_hash == cp.root_hash
    written = json.loads((checkpoint_dir / "checkpoint-00000001.json").read_text())
    assert written == cp.document()
    assert checkpoint.load_file(
        checkpoint_dir / "checkpoint-00000001.json", signing_key.public_key()
    ) == (
        checkpoint.parse(
            written,
            signing_key.public_key(),
            source=str(checkpoint_dir / "checkpoint-00000001.json"),
        )
    )
    code, out, err = run_verify()
    assert (code, err) == (0, "")
    assert ", 1 checkpoints\n" in out
    assert "checkpoint #1: the ledger still holds every head it recorded" in out


def test_the_command_writes_the_checkpoint_out(
    case, signing_key, checkpoint_dir, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ledger_checkpoint")

    out = capsys.readouterr().out
    assert out.startswith("checkpoint #1: 2 chains, root ")
    assert out.strip().endswith(f"written to {checkpoint_dir}/checkpoint-00000001.json")


def test_the_command_without_a_key_says_how_to_make_one(case, settings, tmp_path):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "none.pem"),
    }
    with pytest.raises(CommandError, match=r"manage\.py signing_key generate"):
        call_command("ledger_checkpoint")
    assert not Checkpoint.objects.exists()


def test_consecutive_checkpoints_are_shown_consistent(case, walk, world, signing_key):
    checkpoint.checkpoint_create()
    walk.decide(case)
    walk.report()  # a new chain
    checkpoint.checkpoint_create()

    code, out, _ = run_verify()

    assert code == 0
    assert (
        "checkpoints #1 to #2: each extends the one before (append-only) and the ledger "
        "still holds every head they recorded" in out
    )


def test_a_wiped_ledger_is_caught_against_the_checkpoint(case, signing_key):
    checkpoint.checkpoint_create()
    wipe_ledger()

    code, _, err = run_verify()

    assert code == 1
    assert "BROKEN: ledger: the ledger is empty but 1 cases exist (it was wiped)" in err
    gone = [p for p in audit.verify().problems if p.where == f"chain case:{case.pk}"]
    assert [p.what.split(" (")[0] for p in gone] == ["is gone, but checkpoint #1"]


def test_an_erased_case_is_caught_only_against_the_checkpoint(case, walk, signing_key):
    """The newest case erased in every table, its chain gone, its reference handed back:
    consistent in itself, so only the checkpoint shows it existed."""
    other = walk.report()
    checkpoint.checkpoint_create()
    erase_case(other)
    checkpoint_problems = [
        p for p in audit.verify().problems if p.where == f"chain case:{other.pk}"
    ]

    assert [str(p) for p in checkpoint_problems] == [
        f"chain case:{other.pk}: is gone, but checkpoint #1 "
        f"({checkpoint.when(checkpoint.stored(signing_key.public_key())[0][0])}) recorded it "
        "with 2 events"
    ]
    Checkpoint.objects.all().delete()
    assert audit.verify().intact  # what the chains alone cannot see


def test_a_rewrite_and_rehash_before_the_checkpoint_is_caught(case, signing_key, world):
    checkpoint.checkpoint_create()
    with transaction.atomic():
        audit.record(action="case.exported", actor=world.auditor, case=case, payload={})
    rewrite_and_rehash(case, 3, reason="rewritten")
    head_at_checkpoint = checkpoint.stored(signing_key.public_key())[0][0].state_of(
        audit.chain_key(case)
    )

    code, _, err = run_verify()

    assert code == 1
    assert err.splitlines()[0] == (
        f"BROKEN: chain case:{case.pk}: event #{head_at_checkpoint.length} no longer has the "
        f"hash checkpoint #1 ({checkpoint.when(checkpoint.stored(signing_key.public_key())[0][0])}) "
        "recorded (the chain was rewritten before the checkpoint)"
    )
    assert run_verify("--case", case.reference)[0] == 1
    Checkpoint.objects.all().delete()
    assert audit.verify().intact  # the rehash left a chain consistent in itself


def test_the_external_copy_catches_what_the_database_copy_no_longer_can(
    case, signing_key, checkpoint_dir, django_capture_on_commit_callbacks
):
    """The DBA who wipes the ledger deletes the stored checkpoints too."""
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint.checkpoint_create()
    wipe_ledger()
    with raw_sql() as cur:
        cur.execute("DELETE FROM ledger_checkpoint")
    path = checkpoint_dir / "checkpoint-00000001.json"

    for args in ((), ("--checkpoint", str(path))):
        assert run_verify(*args)[0] == 1
    report = audit.verify(checkpoint_files=[str(path)])
    assert any(p.where == f"chain case:{case.pk}" and "is gone" in p.what for p in report.problems)


def test_a_checkpoint_signed_with_another_key_is_refused(case, signing_key, tmp_path):
    other = Ed25519PrivateKey.generate()
    forged = checkpoint.checkpoint_create(key=other)
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged.document()))

    code, _, err = run_verify("--checkpoint", str(path))

    assert code == 1
    assert err.splitlines()[0].startswith(f"BROKEN: checkpoint: {path}: signed with another key")
    assert err.splitlines()[0].endswith(": refused")
    assert "stored checkpoint #1: signed with another key" in str(audit.verify().problems[0])


def test_a_checkpoint_with_a_forged_signature_or_root_is_refused(case, signing_key, tmp_path):
    cp = checkpoint.checkpoint_create()
    bad_signature = {**cp.document(), "signature": cp.signature[:-4] + "AAA="}
    bad_root = {**cp.document(), "signed": {**cp.signed, "root_hash": "0" * 64}}
    shorter = {**cp.document(), "chains": cp.document()["chains"][:1]}

    for document, message in (
        (bad_signature, "the signature does not hold for the institution's key: refused"),
        (bad_root, "the signature does not hold"),
        (shorter, "its chains do not lead to the signed root hash (the list was altered)"),
        ({"signed": "x"}, "not a ledger checkpoint"),
    ):
        path = tmp_path / "cp.json"
        path.write_text(json.dumps(document))
        code, _, err = run_verify("--checkpoint", str(path))
        assert code == 1
        assert message in err.splitlines()[0]
    path.write_bytes(b"\x00not json")
    assert "not a ledger checkpoint (not JSON)" in run_verify("--checkpoint", str(path))[2]
    assert "cannot be read" in run_verify("--checkpoint", str(tmp_path / "missing.json"))[2]


def test_a_shrunken_chain_between_two_checkpoints_is_inconsistent(case, signing_key, world):
    with transaction.atomic():
        audit.record(action="case.exported", actor=world.auditor, case=case, payload={})
    first = checkpoint.checkpoint_create()
    chain = AuditChain.objects.get(key=audit.chain_key(case))
    # The DBA drops the newest event, fixes the chain row and signs a new checkpoint with
    # the stolen key: each checkpoint alone may pass its own test, the pair does not.
    from ledger.models import AuditEvent

    from .tamper import set_column

    with raw_sql() as cur:
        cur.execute(
            "DELETE FROM violations_auditevent WHERE id = %s",
            [chain.events.get(seq=chain.length).pk],
        )
        previous = chain.events.get(seq=chain.length - 1)
        set_column(AuditChain, chain.pk, "length", previous.seq, cur)
        set_column(AuditChain, chain.pk, "head_hash", previous.hash, cur)
    checkpoint.checkpoint_create()
    problems = [str(p) for p in audit.verify().problems]

    assert (
        f"chain case:{case.pk}: shrank from {chain.length} to {chain.length - 1} events "
        "(checkpoint #1 to #2)"
    ) in problems
    assert first.state_of(audit.chain_key(case)).length == chain.length
    assert AuditEvent.objects.filter(chain=chain).count() == chain.length - 1
