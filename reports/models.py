"""The reports app's own records: case bulletins (see :mod:`reports.bulletins`)."""

from .bulletins.models import Bulletin, BulletinEntry, BulletinStatus

__all__ = ["Bulletin", "BulletinEntry", "BulletinStatus"]
