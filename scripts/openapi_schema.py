"""Write the API's OpenAPI document to docs/openapi.yaml (or, with --check, fail when the
checked-in copy differs from what the code generates).

    .venv/bin/python scripts/openapi_schema.py [--check]
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "openapi.yaml"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from casework.api_schema import document

    generated = document()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_bytes() != generated:
            print(f"{TARGET} differs from the generated schema: run {__file__}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_bytes(generated)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
