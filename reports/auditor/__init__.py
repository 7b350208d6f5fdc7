"""The internal auditor's desk: the configuration, people and security trail of the system
chain on pages of its own, and signed exports of it or of chosen cases' chains."""
