"""``{% portal_challenge %}``: a fresh proof-of-work challenge for a portal form."""

from django import template

from security import portal_guard

register = template.Library()


@register.inclusion_tag("security/portal_challenge.html")
def portal_challenge() -> dict:
    """Hidden challenge inputs, pow.js and the "preparing" and no-script notes, for use inside
    a ``<form>``. A new challenge on every render, so a form shown again after an error gets
    one that has not been used."""
    challenge = portal_guard.challenge_new()
    return {
        "challenge": challenge,
        "difficulty": portal_guard.challenge_difficulty(challenge),
        "challenge_field": portal_guard.POW_CHALLENGE_FIELD,
        "solution_field": portal_guard.POW_SOLUTION_FIELD,
    }


@register.inclusion_tag("security/portal_honeypot.html", takes_context=True)
def portal_honeypot(context, form=None) -> dict:
    """The honeypot field, out of sight and out of reach of screen readers and the Tab key."""
    form = form if form is not None else context.get("form")
    field = form[portal_guard.HONEYPOT_FIELD] if form is not None else None
    return {"field": field, "name": portal_guard.HONEYPOT_FIELD}
