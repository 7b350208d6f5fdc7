"""Names of the sanction catalogue and the severity grades in every language
(django-modeltranslation); history is registered after the translated fields exist, as
``violations/translation.py`` explains."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from violations.translation import ALL_LANGUAGES

from .models import SanctionKind, SeverityGrade


@register(SanctionKind)
class SanctionKindTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ALL_LANGUAGES


@register(SeverityGrade)
class SeverityGradeTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ALL_LANGUAGES


simple_history.register(SanctionKind)
simple_history.register(SeverityGrade)
