"""Departments and violation categories get a name in each language (django-modeltranslation:
violations/translation.py); their history tables keep every language too. The names are
filled in, and the ledger vouches for the rows anew, in
sanctions/0007_reference_names_filled_and_vouched."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('violations', '0010_case_outcome_cancelled'),
    ]

    operations = [
        migrations.AddField(
            model_name='department',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='department',
            name='name_zh_hant',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicaldepartment',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicaldepartment',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicaldepartment',
            name='name_zh_hant',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalviolationcategory',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalviolationcategory',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='historicalviolationcategory',
            name='name_zh_hant',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='violationcategory',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='violationcategory',
            name='name_zh_hans',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='violationcategory',
            name='name_zh_hant',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
    ]
