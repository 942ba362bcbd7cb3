"""Which extractor produced a record: the package version and a hash of the knowledge tables.

Event records depend on the code and on the lexicons, actor tables and word lists in
``worker/data`` (which change without a release), so ``article.processed`` and ``event.created``
carry both, and a consumer can tell records of different extractors apart. The hash is computed once
per process.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata, resources
from importlib.resources.abc import Traversable

PACKAGE = "eventwire"
#: Files of ``worker/data`` that hold knowledge (code files are covered by the version).
TABLE_SUFFIXES = (".tsv", ".txt", ".json", ".csv")


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for entry in folder.iterdir():
        path = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _files(entry, path + "/")
        elif entry.name.endswith(TABLE_SUFFIXES):
            found.append((path, entry))
    return found


def tables_hash(folder: Traversable | None = None) -> str:
    """16 hex digits of SHA-256 over every table file's path and bytes, in path order."""
    digest = hashlib.sha256()
    for path, entry in sorted(_files(folder or resources.files("worker.data")), key=lambda item: item[0]):
        content = entry.read_bytes()
        digest.update(f"{path}\x00{len(content)}\x00".encode())
        digest.update(content)
    return digest.hexdigest()[:16]


def package_version() -> str:
    """The installed eventwire version (``0+unknown`` when run from a tree that is not installed)."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "0+unknown"


@functools.cache
def extractor_version() -> dict[str, str]:
    """``{"version": <package version>, "tables": <tables_hash()>}``, computed once per process."""
    return {"version": package_version(), "tables": tables_hash()}
