"""The ledger vouches for reference data: one ``config.genesis`` event on the system chain
carries the digest of every row of the organisation and the catalogues (departments, staff,
violation categories, sanction kinds and their approval levels, severity grades, the matrix)
that no event vouched for yet, so a change made behind the admin's back is caught.

It runs the application's own service on the current models (not the migration's historical
ones) because the digest must be the one verification recomputes; it therefore comes after
every schema migration of those models, and a later schema change to one of them must
re-vouch its rows the same way.
"""

from django.db import migrations


def vouch_reference_data(apps, schema_editor):
    from violations.services.reference import reference_genesis, reference_unvouched

    reference_genesis(rows=reference_unvouched(), reason="reference data loaded by migrations")


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0004_reference_data"),
        ("violations", "0009_audit_moves_to_ledger"),
        ("remediation", "0003_actions_cancel_training_complaint_clock"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(vouch_reference_data, migrations.RunPython.noop)]
