from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import kinds


def _choosable() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in kinds.all_kinds() if not k.mandatory and not k.digest_only]


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of my e-mail"),
        choices=[("", _("The site's language")), *settings.LANGUAGES],
        required=False,
    )
    digest_kinds = forms.MultipleChoiceField(
        label=_("Send these in a daily digest instead of at once"),
        choices=_choosable,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
