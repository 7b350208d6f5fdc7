"""Sanction kinds and severity grades get a name in each language (sanctions/translation.py),
in their history tables too; 0007 fills the names in and has the ledger vouch anew."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sanctions', '0005_reference_data_genesis'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalsanctionkind',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalsanctionkind',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalsanctionkind',
            name='name_zh_hant',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalseveritygrade',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalseveritygrade',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalseveritygrade',
            name='name_zh_hant',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='sanctionkind',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='sanctionkind',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='sanctionkind',
            name='name_zh_hant',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitygrade',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitygrade',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='severitygrade',
            name='name_zh_hant',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
    ]
