"""``{{ user|person }}``: a person as people know them, by name and position."""

from django import template

from ..forms import person_label

register = template.Library()


@register.filter
def person(user) -> str:
    return person_label(user) if user else ""
