"""Names of the organisation's reference data in every language (django-modeltranslation).

``name`` of a department or a violation category gets one column per language (``name_en``,
``name_zh_hant``, ``name_zh_hans``); reading ``obj.name`` gives the reader's language
(settings.MODELTRANSLATION_FALLBACK_LANGUAGES when it is empty). Every language is required
when a person edits the row.

simple_history registers these models here rather than in the model class: the historical
model copies the model's fields when it is made, and must be made after modeltranslation
has added the translated ones, so that a history row keeps every language (simple_history's
documented way with modeltranslation).
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Department, ViolationCategory

ALL_LANGUAGES = ("en", "zh-hant", "zh-hans")


@register(Department)
class DepartmentTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ALL_LANGUAGES


@register(ViolationCategory)
class ViolationCategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ALL_LANGUAGES


simple_history.register(Department)
simple_history.register(ViolationCategory)
