"""Case bulletins (案例通報): anonymised summaries of closed cases, published for staff.

A compliance officer drafts a bulletin for a period (``services.bulletin_draft``); each
entry starts from a summary the bulletin redactor (``redaction``) scrubbed of every party's
name, the references, the customer and small units, which the drafter then edits. A case
manager other than anyone who wrote the text approves that exact text (its SHA-256 is kept)
and publishes it; an edit after approval sends it back to draft. Every member of staff reads
published bulletins on a page and as a PDF (``pdf``) in their language.
"""
