"""An erased case still exports: its bundle verifies offline, its erased event content
published only as the commitments the chain covers, and none of the erased text in it."""

import zipfile

import time_machine

from casework.retention import erase_expired
from reports import services
from reports.casefile import Profile
from tests.reports.conftest import walk_to_close
from tools import verify_bundle

from .test_erasure import PERSONAL, years_later


def test_the_bundle_of_an_erased_case_verifies_and_holds_none_of_the_text(
    walk, world, signing_key, tmp_path, django_capture_on_commit_callbacks
):
    case = walk_to_close(walk, world, anonymous=True)
    with time_machine.travel(years_later(case, 7), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert erase_expired().cases == [case.reference]
        for profile in (Profile.REGULATOR, Profile.INTERNAL):
            path = tmp_path / f"{profile}.zip"
            with open(path, "wb") as fh:
                services.bundle_export(case=case, actor=world.auditor, dest=fh, profile=profile)
            verify_bundle.verify(str(path), signing_key.read_bytes())
            with zipfile.ZipFile(path) as zf:
                text = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".json"))
            assert [s for s in PERSONAL if s.encode() in text] == [], profile
