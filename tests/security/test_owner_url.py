"""``DATABASE_OWNER_URL`` must name the application's own database."""

import pytest
from django.core.management.base import CommandError
from django.db import connection

from security.management.commands.migrate import owner_connection


def test_an_owner_url_for_another_database_is_refused(settings):
    settings.DATABASE_OWNER_URL = "postgres://owner:pw@db.example.com:5432/elsewhere"
    before = dict(connection.settings_dict)
    with pytest.raises(CommandError, match="same database"), owner_connection(connection):
        pass
    assert dict(connection.settings_dict) == before


def test_without_an_owner_url_the_connection_is_left_alone(settings):
    settings.DATABASE_OWNER_URL = ""
    before = dict(connection.settings_dict)
    with owner_connection(connection) as used:
        assert used is connection
        assert dict(connection.settings_dict) == before
