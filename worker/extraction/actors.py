"""Actor knowledge: countries, seats of government, organisations, roles, and CAMEO-style codes."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from worker.extraction import dictionary
from worker.extraction.gazetteer import country_aliases, country_code
from worker.extraction.tables import read_tsv, read_words, word_class


@dataclass(frozen=True)
class Profile:
    """What the text tells about an actor: country (ISO3), role, and organisation code."""

    country: str | None = None
    role: str | None = None
    org: str | None = None  # IGO/organisation actor code, e.g. IGONAT
    region: str | None = None  # CAMEO region code without an ISO country, e.g. WST

    @property
    def code(self) -> str | None:
        """CAMEO-style code: country + role (UKRGOV), organisation (IGONAT), or region + role."""
        if self.country:
            return self.country + (self.role or "")
        if self.org:
            return self.org
        if self.region:
            return self.region + (self.role or "")
        return self.role

    def merged(self, other: Profile) -> Profile:
        """Fill the empty fields of this profile from ``other``; an organisation's officer ("U.N.
        mediator X") takes no country from the person's own nationality."""
        return Profile(  # every field: the constructor, not dataclasses.replace (a hot path)
            country=self.country or (None if self.org else other.country),
            role=self.role or other.role,
            org=self.org or other.org,
            region=self.region or other.region,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.country or self.role or self.org or self.region)


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    role: str
    country: str | None


@functools.cache
def organisations() -> dict[str, Organisation]:
    """Organisation aliases (IGOs, NGOs, armed groups) by surface form."""
    return {
        row["alias"]: Organisation(row["code"], row["name"], row["role"], row.get("country") or None)
        for row in read_tsv("igos.tsv")
    }


STANCE_PREFIXES = ("anti-", "pro-", "anti ", "pro ")


@functools.cache
def org_heads() -> dict[str, str]:
    """Nouns that end a body's name ("Forum", "Committee", "Party") -> the sector of an unlisted body."""
    return {row["head"]: row["sector"] for row in read_tsv("org_heads.tsv")}


@functools.cache
def seats() -> dict[str, Profile]:
    """Capitals and seats of government -> the government (or organisation) they stand for."""
    return {
        row["alias"]: Profile(
            country=row["country"] or None, role=row["role"] or None, org=row.get("org") or None
        )
        for row in read_tsv("seats.tsv")
    }


@functools.cache
def seat_buildings() -> frozenset[str]:
    """Seats of government named by a building, street or office ("Kremlin", "White House")."""
    return frozenset(row["alias"] for row in read_tsv("seats.tsv") if row["kind"] == "building")


@functools.cache
def role_terms() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """Role terms as one word-bounded alternation (longest first, so "prime minister" wins over
    "minister" where both start), the same anchored at the end of a phrase, and term -> role."""
    roles = {row["term"]: row["role"] for row in read_tsv("roles.tsv")}
    alternation = "|".join(re.escape(term) for term in sorted(roles, key=len, reverse=True))
    anywhere = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
    at_end = re.compile(rf"(?<![\w-])(?:{alternation})$")
    return anywhere, at_end, roles


@functools.cache
def known_people() -> dict[str, list[tuple[dt.date | None, dt.date | None, Profile]]]:
    """Well-known office holders by full name: (start, end, profile) of each role they held."""
    people: dict[str, list[tuple[dt.date | None, dt.date | None, Profile]]] = {}
    for row in read_tsv("people.tsv"):
        profile = Profile(row["country"] or None, row["role"] or None, row["org"] or None)
        start, end = (dt.date.fromisoformat(row[k]) if row.get(k) else None for k in ("start", "end"))
        people.setdefault(row["name"], []).append((start, end, profile))
    return people


def _held_on(roles: list[tuple[dt.date | None, dt.date | None, Profile]], day: dt.date) -> Profile | None:
    """The role held on ``day``: a dated row covering it (the latest start), else an undated row."""
    dated = [r for r in roles if (r[0] or r[1]) and (r[0] or dt.date.min) <= day < (r[1] or dt.date.max)]
    if dated:
        return max(dated, key=lambda r: r[0] or dt.date.min)[2]
    return next((profile for start, end, profile in roles if not (start or end)), None)


@functools.lru_cache(maxsize=8192)  # the same names again and again: 97% hits; 65,536 held ~20 MB
def strip_article(text: str) -> str:
    """Drop a leading "the " and trailing possessive."""
    text = text.strip()
    if text.lower().startswith("the "):
        text = text[4:]
    return re.sub(r"[’']s?$", "", text).strip()


def organisation(text: str) -> Organisation | None:
    """The organisation named exactly ``text`` (after dropping "the")."""
    return organisations().get(strip_article(text))


def seat(text: str) -> Profile | None:
    """The government a capital or seat of government stands for as an actor, else None."""
    return seats().get(strip_article(text))


def role_in(text: str) -> str | None:
    """The role named by the longest role term inside ``text`` (case-insensitive)."""
    term = _role_term(text)
    return role_terms()[2][term] if term else None


@functools.lru_cache(maxsize=8192)
def role_of_head(text: str) -> str | None:
    """The role of a noun phrase whose last words are a role term ("Kenya's foreign minister",
    "Russian officials"); a role word used as a modifier ("official contact") is no role."""
    _, at_end, roles = role_terms()
    match = at_end.search(text.lower().rstrip())
    return roles[match.group(0)] if match else None


def is_person_title(text: str) -> bool:
    """Whether ``text`` (the words before a name) holds a role ("Foreign Minister") or a
    courtesy title ("Mr.", "Sheikh") that make the name a person's."""
    if role_in(text):
        return True
    words = re.findall(r"[a-z]+", text.lower())
    return any(word in read_words("honorifics.txt") for word in words)


@functools.cache
def _alias_pattern() -> re.Pattern[str]:
    names = set(country_aliases()) | set(organisations()) | set(seats())
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w])")


def profile_of_words(text: str) -> Profile:
    """Read country, organisation and role out of a descriptor ("US Defense Secretary",
    "NATO Secretary-General", "Kenya's president", "the Kremlin spokesman")."""
    names = profile_of_names_in(text)
    return Profile(role=organisation_role(text, role_in(text), names)).merged(names)


def organisation_role(text: str, role: str | None, names: Profile) -> str | None:
    """``role`` unless it comes from a generic word beside a named organisation with a sector:
    "Labour leader" (PTY), "Hamas spokesman" (REB), not GOV."""
    if names.role and role is not None and _role_term(text) in word_class("generic_role"):
        return names.role
    return role


@functools.lru_cache(maxsize=8192)  # descriptors and noun phrases repeat: one regex scan each
def _role_term(text: str) -> str | None:
    """The longest role term inside ``text`` (what :func:`role_in` reads the role from)."""
    anywhere, _, _ = role_terms()
    terms = [match.group(0) for match in anywhere.finditer(text.lower())]
    return max(terms, key=len) if terms else None


@functools.lru_cache(maxsize=8192)  # one scan of the long alias alternation per distinct text
def profile_of_names_in(text: str) -> Profile:
    """Country, organisation (and its role) of the names inside ``text``, leaving its role words
    aside: "official contact" names no one. A name after "anti-" or "pro-" is a stance, not a
    nationality: an "anti-Syria journalist" is not Syrian, a "pro-Iranian group" not Iranian."""
    profile = Profile()
    for match in _alias_pattern().finditer(text):
        if text[: match.start()].lower().endswith(STANCE_PREFIXES):
            continue
        profile = profile.merged(profile_of_name(match.group(0)))
    return profile


@functools.lru_cache(maxsize=8192)  # asked of every name and word around an actor, again and again
def profile_of_name(text: str) -> Profile:
    """Profile of a bare name: a country, demonym, region, organisation or seat; else empty."""
    name = strip_article(text)
    org = organisation(name)
    if org is not None:
        if org.country:
            return Profile(country=org.country, role=org.role)
        # an organisation of some country the article names ("Labour"): its sector, the
        # country from the article's context
        return Profile(role=org.role, org=org.code or None)
    found = country_code(name)
    if found is not None:
        code, kind = found
        return Profile(region=code) if kind == "region" else Profile(country=code)
    return seat(name) or Profile()


def person_profile(full_name: str, on_date: dt.date | None = None) -> Profile:
    """Profile of a well-known person: the people table, else the field's actor dictionaries
    (leaders and officials with the dates of each role), else empty."""
    roles = known_people().get(full_name)
    held = _held_on(roles, on_date or dt.date.max) if roles else None
    return held or dictionary_profile(full_name, on_date)


def dictionary_profile(name: str, on_date: dt.date | None = None) -> Profile:
    """What PETRARCH2's actor dictionaries say ``name`` was on ``on_date`` (no date: its open-ended,
    most recent role): a country and sector ("KGZGOV"), or an organisation ("IGOMEAARL",
    "NGOHRIAMN"); empty when the name is not listed or was no actor then."""
    code = dictionary.actor_code(name, on_date or dt.date.max) or (
        _undated_code(name) if on_date is None else None)
    if not code:
        return Profile()
    head, rest = code[:3], code[3:]
    head = _legacy_countries().get(head, head)
    if head in _iso3_codes():
        return Profile(country=head, role=rest[:3] or None)
    if head in ("IGO", "NGO", "IMG", "MNC"):
        return Profile(role=head, org=code)
    return Profile(region=head, role=rest[:3] or None)


def _undated_code(name: str) -> str | None:
    """With no date to go by, a person whose every listed role is in one country: the latest role.
    (A leader of the 1980s is still his country's when the article's date is unknown.)"""
    rules = [rule for rule in dictionary.dictionaries().actor_rules(name) if rule.code]
    if not rules or len({rule.code[:3] for rule in rules}) != 1:
        return None
    return max(rules, key=lambda rule: rule.start or dt.date.min).code


@functools.cache
def _legacy_countries() -> dict[str, str]:
    return {row["code"]: row["iso3"] for row in read_tsv("legacy_countries.tsv")}


@functools.cache
def _iso3_codes() -> frozenset[str]:
    return frozenset(code for code, _kind in country_aliases().values() if len(code) == 3)
