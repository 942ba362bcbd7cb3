"""Places chosen in context: datelines with qualifiers, namesakes, government buildings, calendar words,
the entity layer's countries and where each event happened (issue 10's failures, in our own words)."""

from __future__ import annotations

from typing import Any

import pytest
from extraction_fixtures import events, only, run

from worker.extraction.gazetteer import lookup_place, qualifier
from worker.extraction.places import dateline_place


def _location(record: dict[str, Any]) -> tuple[Any, ...]:
    location = record["location"]
    return location["name"], location["country"], location["basis"]


@pytest.mark.parametrize(("line", "name", "country", "geonameid"), [
    ("ATHENS, Ga. (WXIA) — Athens police arrested three men on Tuesday.", "Athens", "USA", 4180386),
    ("KINGSTON, Ontario — The city council met on Monday.", "Kingston", "CAN", 5992500),
    ("NAIROBI, Kenya (Reuters) — Talks resumed.", "Nairobi", "KEN", 184745),
    ("SPRINGFIELD, Ill. — The governor spoke.", "Springfield", "USA", 4250542),
    ("Springfield, Mo. (AP) -- A fire broke out.", "Springfield", "USA", 4409896),
    ("VICTORIA, British Columbia — Nurses walked out.", "Victoria", "CAN", 6174041),
])
def test_a_datelines_qualifier_decides_which_place_it_is(line, name, country, geonameid):
    place = dateline_place(line)
    assert (place.name, place.country, place.geonameid) == (name, country, geonameid)


def test_a_town_the_gazetteer_lacks_is_still_placed_by_its_qualifier():
    place = dateline_place("MAPLE HOLLOW, Kan. — The county sheriff said two men were arrested.")
    assert (place.name, place.country, place.precision) == ("Maple Hollow", "USA", "city")


def test_a_dateline_after_the_headline_still_counts():
    text = "Trade pact signed at last\nBy Desk staff\nNAIROBI — Kenya and Uganda signed a trade pact."
    assert dateline_place(text).name == "Nairobi"
    assert dateline_place("A headline\nThe story begins without a dateline — as many do.") is None


def test_qualifiers_name_states_provinces_and_countries():
    assert (qualifier("Ga.").country, qualifier("Ga.").admin1) == ("USA", "GA")
    assert (qualifier("Ontario").country, qualifier("Ontario").admin1) == ("CAN", "08")
    assert qualifier("Kenya").country == "KEN"
    assert qualifier("Tuesday") is None


def test_the_dateline_places_the_event_and_its_actors():
    record = only(events("ATHENS, Ga. (WXIA) — Athens police arrested three men on Tuesday."))
    assert _location(record) == ("Athens", "USA", "dateline")
    assert record["actor1"]["code"] == "USACOP"


def test_a_clause_place_is_resolved_in_the_datelines_country():
    text = "KINGSTON, Ontario — Police arrested two protesters in Kingston on Monday."
    assert _location(only(events(text))) == ("Kingston", "CAN", "clause")


def test_a_namesake_town_goes_to_the_country_the_article_names():
    text = ("Canadian police said on Monday that officers arrested two men in Kingston after a protest. "
            "Canada's government condemned the violence.")
    record = only(events(text), root="17")
    assert _location(record)[:2] == ("Kingston", "CAN")


def test_the_cities_of_an_article_carry_their_country_in_the_entity_layer():
    extraction = run("Kenyan President William Ruto met Ugandan President Yoweri Museveni in Nakuru "
                     "last month.")
    nakuru = next(e for e in extraction.entities if e["name"] == "Nakuru")
    assert nakuru["country"] == "KEN"


@pytest.mark.parametrize("name", ["White House", "Kremlin", "Downing Street", "Élysée", "Elysee"])
def test_buildings_that_stand_for_a_government_are_not_places(name):
    assert lookup_place(name) is None


def test_a_government_building_acts_and_is_no_location():
    record = only(events("The White House condemned the attack on Monday."))
    assert record["actor1"]["code"] == "USAGOV"
    assert record["location"] is None or record["location"]["name"] != "White House"


@pytest.mark.parametrize("word", ["March", "May", "August", "Monday", "Sunday"])
def test_months_and_weekdays_are_never_places(word):
    assert lookup_place(word) is None


def test_a_fronted_month_is_not_where_it_happened():
    record = only(events("In March, Pakistani soldiers captured a rebel commander in Pakistan."))
    assert _location(record)[:2] == ("Pakistan", "PAK")


def test_an_inline_qualifier_decides_within_the_sentence():
    record = only(events("Police in Springfield, Mo., arrested two men on Friday."))
    assert (record["location"]["name"], record["location"]["geonameid"]) == ("Springfield", 4409896)


def test_a_place_modifier_gives_the_location():
    record = only(events("Gunmen attacked a Lahore church on Sunday."))
    assert _location(record) == ("Lahore", "PAK", "clause")


def test_a_town_named_with_a_locality_noun_is_a_place_whatever_the_tagger_says():
    record = only(events("Syrian troops clashed with rebels in the Kafr Zeita town on Monday."))
    assert _location(record) == ("Kafr Zeita", "SYR", "clause")


def test_without_a_place_or_dateline_the_event_is_in_the_articles_country():
    record = only(events("Kenyan police arrested dozens of protesters on Tuesday."))
    location = record["location"]
    assert (location["country"], location["precision"], location["basis"]) == ("KEN", "country", "focus")


def test_a_village_the_event_was_done_to_is_where_it_happened():
    record = only(events("Government forces captured the village of Tel Hamdan on Sunday."))
    assert (record["location"]["name"], record["location"]["basis"]) == ("Tel Hamdan", "clause")
