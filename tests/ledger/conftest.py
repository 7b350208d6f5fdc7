import pytest


@pytest.fixture
def signing_key(settings, tmp_path):
    """The institution's key in a temporary directory; returns the private key."""
    from ledger import signing

    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "keys" / "signing.pem"),
    }
    return signing.generate()


@pytest.fixture
def checkpoint_dir(settings, tmp_path):
    path = tmp_path / "checkpoints"
    settings.LEDGER_CHECKPOINT_DIR = str(path)
    return path


@pytest.fixture
def case(walk):
    """A case at approval."""
    case = walk.report()
    walk.to_approval(case)
    return walk.refresh(case)
