"""An article's country focus: the countries it is about, most salient first.

Actors that have a sector but no country ("the government", "police", "the opposition leader")
take the first of them, and a place name that several countries share goes to the one the article
is about ("Valparaiso" in a story about Chile). Salience: the dateline's country first, then the
countries the article's resolved entities belong to or its places lie in, by how often it mentions
them (first mention first on a tie).
"""

from __future__ import annotations

from collections import Counter

from worker.extraction.entities import EntityTable
from worker.extraction.gazetteer import Place, lookup_place


def country_focus(table: EntityTable, dateline: Place | None) -> tuple[str, ...]:
    """ISO3 codes of the countries the article is about, most salient first."""
    counts: Counter[str] = Counter()
    for entity in table.entities:
        country = entity.profile.country
        if country is None and entity.kind == "place":  # "in Nairobi": the place's country
            place = lookup_place(entity.name)
            country = place.country if place is not None else None
        if country:
            counts[country] += len(entity.mentions)
    ordered = [country for country, _ in counts.most_common()]
    if dateline is not None and dateline.country:
        ordered = [dateline.country, *(c for c in ordered if c != dateline.country)]
    return tuple(ordered)
