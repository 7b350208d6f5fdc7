"""Signals of the notification layer, for the layers above it.

``message_delivered`` is sent by the dispatcher (``notifications.outbox``) once an e-mail was
handed to the mail server and recorded as sent, outside any transaction. Arguments:
``message`` (the ``OutboxMessage``, its notification loaded). A receiver must not raise: the
dispatcher goes on with the rest of its batch only if it returns.
"""

from django.dispatch import Signal

message_delivered = Signal()
