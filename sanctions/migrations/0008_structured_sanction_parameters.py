"""Sanctions proposed before the parameters were typed get them read from their free text
(``sanctions.services.legacy``): through the audited save, one event per case, so the
ledger vouches for the rewritten rows. Text that cannot be read stays in ``detail``.

Like ``0005_reference_data_genesis`` it runs the application's service on the current
models, because the digests must be the ones verification recomputes.
"""

from django.db import migrations


def structure(apps, schema_editor):
    from sanctions.services.legacy import sanction_parameters_structure

    sanction_parameters_structure()


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0007_reference_names_filled_and_vouched"),
        ("violations", "0014_deadline_clocks"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(structure, migrations.RunPython.noop)]
