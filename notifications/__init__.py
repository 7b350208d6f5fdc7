"""Notifications: the in-app notification centre, e-mail in the recipient's language through
a transactional outbox, and the dispatcher that sends it. Knows nothing of cases beyond a
reference and a link, so every domain app may call it."""
