"""An article's country focus: the countries it is about, most salient first.

Actors that have a sector but no country ("the government", "police", "the opposition leader")
take the first of them, and a place name that several countries share goes to the one the article
is about ("Valparaiso" in a story about Chile). Salience: the dateline's country first, then the
countries the article's resolved entities belong to or its places lie in, by how often it mentions
them (first mention first on a tie), then the country of the outlet (``outlets.tsv``).
"""

from __future__ import annotations

import functools
from collections import Counter

from worker.extraction.entities import EntityTable
from worker.extraction.gazetteer import Place, lookup_place
from worker.extraction.tables import read_tsv


@functools.cache
def _outlets() -> dict[str, str]:
    return {_outlet_key(row["outlet"]): row["country"] for row in read_tsv("outlets.tsv")}


def _outlet_key(name: str) -> str:
    return name.strip().lower().removeprefix("the ").strip()


def outlet_country(source: str | None) -> str | None:
    """The country a national outlet reports from, if ``outlets.tsv`` lists it."""
    return _outlets().get(_outlet_key(source)) if source else None


def country_focus(table: EntityTable, dateline: Place | None, source: str | None = None) -> tuple[str, ...]:
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
    outlet = outlet_country(source)
    if outlet is not None and outlet not in ordered:
        ordered.append(outlet)
    return tuple(ordered)
