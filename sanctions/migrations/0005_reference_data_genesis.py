"""The ledger vouches for reference data: one ``config.genesis`` event on the system chain
carries the digest of every row of the organisation and the catalogues (departments, staff,
violation categories, sanction kinds and their approval levels, severity grades, the matrix)
that no event vouched for yet, so a change made behind the admin's back is caught.

Superseded by ``0007_reference_names_filled_and_vouched``: the genesis runs the
application's own service on the current models, whose digest is the one verification
recomputes, so it must come after every schema migration of those models; names in three
languages (``0006``) changed them. A database that ran this migration before keeps its
event; a new one gets its genesis from ``0007``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0004_reference_data"),
        ("violations", "0009_audit_moves_to_ledger"),
        ("remediation", "0003_actions_cancel_training_complaint_clock"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
