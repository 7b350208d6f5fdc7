"""Append-only, hash-chained audit events.

The tables keep the names they had before the ledger became an app of its own
(``violations_audit…``), so existing databases, their append-only trigger and the evidence
already exported need no rewrite.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditChain(models.Model):
    """Head of one hash chain (one per case, and one for events that belong to no case).

    Appending locks this row, so concurrent writers queue instead of forking the chain.
    """

    key = models.CharField(_("chain"), max_length=40, unique=True)
    length = models.PositiveBigIntegerField(_("length"), default=0)
    head_hash = models.CharField(_("head hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        db_table = "violations_auditchain"
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")

    def __str__(self) -> str:
        return f"{self.key} #{self.length}"


class AuditEvent(models.Model):
    chain = models.ForeignKey(
        AuditChain, verbose_name=_("chain"), on_delete=models.PROTECT, related_name="events"
    )
    seq = models.PositiveBigIntegerField(_("sequence"))
    occurred_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    records = models.JSONField(_("records changed"), default=list)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    # Random, kept by the institution, never exported whole: the hash covers a salted
    # commitment to each field (see ledger.chain.event_hash). Empty on events written before
    # commitments, whose hash covers their content directly.
    salt = models.CharField(_("salt"), max_length=64, blank=True, default="")
    # Fields of the content erased from this row once their retention ran out (``payload``,
    # ``reason``), each kept as its salted commitment, so the hash still verifies
    # (ledger.chain.withhold). Empty for nearly every event.
    withheld = models.JSONField(_("withheld content"), default=dict, blank=True)

    class Meta:
        db_table = "violations_auditevent"
        ordering = ["chain_id", "seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_seq_unique_per_chain")
        ]

    def __str__(self) -> str:
        return f"{self.chain.key}#{self.seq} {self.action}"


class Checkpoint(models.Model):
    """A signed snapshot of every chain's head, in the manner of a transparency log's signed
    tree head: the Merkle root over each chain's (key, length, head hash), signed with the
    institution's key. The same document is written outside the database
    (``LEDGER_CHECKPOINT_DIR``), where an administrator of the database cannot reach it.

    ``document`` is the exact signed JSON text; every other column is read from it and kept
    only to be searched.
    """

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    created_at = models.DateTimeField(_("created at"))
    tree_size = models.PositiveBigIntegerField(_("chains"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    document = models.TextField(_("signed document"))
    signature = models.CharField(_("signature"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("ledger checkpoint")
        verbose_name_plural = _("ledger checkpoints")

    def __str__(self) -> str:
        return f"#{self.number} {self.root_hash[:12]}…"
