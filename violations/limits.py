"""How much free text the forms and the API accept.

Generous for a person writing (20,000 characters is about eight pages), small enough that
one field cannot fill a disk or make a case file hundreds of pages long. Past a limit the
form says so in the user's language and the API answers 400; nothing is saved. The case
file still renders whatever is stored, longer text included (text stored before the limits,
or written by code that does not go through a form).
"""

# An account: what happened, investigation summaries and findings, statements, grounds,
# justifications, notices.
LONG_TEXT = 20_000
# A reason, a note, a message.
TEXT = 5_000
# A reference someone else gave (a regulator's, a judicial authority's).
REFERENCE = 100
