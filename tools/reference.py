"""Where the reference data (``shared/reference``) lives: dev tools and tests read it, never the service."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FALLBACK_REFERENCE_DIR = Path("/work/shared/reference")


def reference_dir() -> Path:
    """``$EVENTWIRE_REFERENCE_DIR``, else ``<repo>/../shared/reference``, else ``/work/shared/reference``.

    An explicit setting is returned even when it does not exist, so that a wrong path fails loudly where it
    is used instead of silently falling back to another copy.
    """
    configured = os.environ.get("EVENTWIRE_REFERENCE_DIR")
    if configured:
        return Path(configured)
    beside = REPO_ROOT.parent / "shared" / "reference"
    return beside if beside.is_dir() else FALLBACK_REFERENCE_DIR
