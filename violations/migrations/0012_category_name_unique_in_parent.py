"""One name per parent category, in each language (top-level categories among themselves).

Comes after sanctions/0007_reference_names_filled_and_vouched, which renames the duplicates an
older demo seed left (by adding the category's code to the later row's names), so the
constraint is created on a database that already satisfies it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('violations', '0011_reference_names_in_three_languages'),
        ('sanctions', '0007_reference_names_filled_and_vouched'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', False)), fields=('parent', 'name'), name='category_name_unique_in_parent', violation_error_message='This parent already has a category of that name.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('name',), name='category_name_unique_top_level', violation_error_message='A top-level category of that name already exists.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', False)), fields=('parent', 'name_en'), name='category_name_unique_in_parent-en', violation_error_message='This parent already has a category of that name.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', False)), fields=('parent', 'name_zh_hant'), name='category_name_unique_in_parent-zh-hant', violation_error_message='This parent already has a category of that name.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', False)), fields=('parent', 'name_zh_hans'), name='category_name_unique_in_parent-zh-hans', violation_error_message='This parent already has a category of that name.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('name_en',), name='category_name_unique_top_level-en', violation_error_message='A top-level category of that name already exists.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('name_zh_hant',), name='category_name_unique_top_level-zh-hant', violation_error_message='A top-level category of that name already exists.'),
        ),
        migrations.AddConstraint(
            model_name='violationcategory',
            constraint=models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('name_zh_hans',), name='category_name_unique_top_level-zh-hans', violation_error_message='A top-level category of that name already exists.'),
        ),
    ]
