"""Where the reference data (``shared/reference``) lives: dev tools and tests read it, never the service."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_ENV = "EVENTWIRE_REFERENCE_DIR"
REFERENCE_FALLBACKS = (REPO_ROOT.parent / "shared" / "reference", Path("/work/shared/reference"))


def reference_dir(
    environ: Mapping[str, str] | None = None, fallbacks: Sequence[Path] = REFERENCE_FALLBACKS
) -> Path:
    """The shared reference folder: ``$EVENTWIRE_REFERENCE_DIR``, else the first fallback that exists.

    Raises FileNotFoundError with a one-line message when it cannot be found (a set but missing
    ``EVENTWIRE_REFERENCE_DIR`` is an error, not a reason to look elsewhere).
    """
    env = os.environ if environ is None else environ
    configured = env.get(REFERENCE_ENV)
    candidates = [Path(configured)] if configured else list(fallbacks)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"shared reference folder not found (looked in {looked}); set {REFERENCE_ENV} to it"
    )
