"""How commands print: readable one-line summaries of envelopes, reports of rejected input."""

from __future__ import annotations

import sys
from typing import Any


def report_bad_input(origin: str, message: str) -> int:
    """Say on stderr that the input at ``origin`` was rejected; returns 1 (one failure)."""
    print(f"{origin}: rejected: {message}", file=sys.stderr)
    return 1


def describe(envelope: dict[str, Any]) -> str:
    """One readable line for an envelope (the demo's output)."""
    data, kind = envelope["data"], envelope["type"]
    if kind == "article.processed":
        detail = f"{len(data['entities'])} entities, {len(data['event_ids'])} events"
    elif kind == "article.duplicate":
        detail = f"{data['kind']} duplicate of {data['duplicate_of']} ({data['similarity']:.2f})"
    elif kind == "article.rejected":
        detail = f"{data['reason']}: " + "; ".join(e["message"] for e in data["errors"])
    elif kind == "event.created":
        action, a2, place = data["action"], data["actor2"], data["location"]
        detail = (f"{data['actor1']['code'] or data['actor1']['name']} → "
                  f"{(a2['code'] or a2['name']) if a2 else '-'}  {action['cameo']} "
                  f"{action['plover'] or ''} ({action['text']})  "
                  f"{place['name'] if place else '-'}  {data['event_date'] or '-'}")
    else:
        detail = (f"{data['article_id']} mentions it: {data['mentions']['articles']} articles, "
                  f"{data['mentions']['outlets']} outlets")
    return f"{kind:<18} {envelope['subject']:<24} {detail}"
