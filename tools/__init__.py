"""Standalone utilities shipped with the project (usable without installing the app)."""
