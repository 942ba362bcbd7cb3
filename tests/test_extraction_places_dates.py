"""Event locations and dates."""

from __future__ import annotations

from datetime import date

import pytest
from extraction_fixtures import PUBLISHED, events, only

from worker.extraction.dates import resolve_phrase
from worker.extraction.gazetteer import country_code, lookup_place

THURSDAY = PUBLISHED.date()  # 2024-03-14


def test_location_is_the_place_the_sentence_puts_the_action_in():
    record = only(events("Kenyan President Daniel Mwangi met Ugandan officials in Kampala."))
    location = record["location"]
    assert (location["name"], location["country"], location["precision"], location["geonameid"]) == (
        "Kampala",
        "UGA",
        "city",
        232422,
    )
    assert location["lat"] == pytest.approx(0.3163, abs=0.01)
    assert location["lon"] == pytest.approx(32.5822, abs=0.01)


def test_city_of_phrase_gives_the_location():
    record = only(events("Russian missiles hit an apartment block in the city of Odesa."))
    assert record["location"]["name"] == "Odesa"
    assert record["actor2"]["code"] == "UKRCVL"


def test_place_used_as_an_actor_is_not_the_location():
    record = only(events("Washington accused Tehran of arming the rebels."))
    assert record["actor1"]["code"] == "USAGOV"
    assert record["actor2"]["code"] == "IRNGOV"
    # no place of the clause: the article's focus, at country precision
    assert (record["location"]["basis"], record["location"]["precision"]) == ("focus", "country")


def test_country_location_has_country_precision():
    record = only(events("Islamist militants attacked a police post in Mali on Sunday."))
    assert record["location"]["country"] == "MLI"
    assert record["location"]["precision"] == "country"


def test_dateline_gives_the_location_when_the_sentence_has_none():
    text = "NAIROBI — Kenyan police arrested dozens of protesters on Tuesday."
    record = only(events(text))
    assert record["location"]["name"] == "Nairobi"
    assert record["actor2"]["code"] == "KENOPP"


def test_sentence_place_wins_over_the_dateline():
    text = "NAIROBI — Kenyan President Daniel Mwangi met Ethiopian officials in Addis Ababa."
    assert only(events(text))["location"]["name"] == "Addis Ababa"


def test_visit_destination_is_the_location_and_the_visited_country():
    record = only(events("Chilean Foreign Minister Tomas Ibarra visited Kharkiv on Monday."))
    assert record["location"]["name"] == "Kharkiv"
    assert record["actor2"]["code"] == "UKRGOV"


@pytest.mark.parametrize(
    ("phrase", "expected", "precision"),
    [
        ("on Tuesday", date(2024, 3, 12), "day"),
        ("on Thursday", date(2024, 3, 14), "day"),  # the publication day itself
        ("last Thursday", date(2024, 3, 7), "day"),
        ("yesterday", date(2024, 3, 13), "day"),
        ("today", date(2024, 3, 14), "day"),
        ("two days ago", date(2024, 3, 12), "day"),
        ("last week", date(2024, 3, 4), "week"),  # Monday of the previous ISO week
        ("earlier this week", date(2024, 3, 11), "week"),  # claims no day
        ("next week", date(2024, 3, 18), "week"),
        ("next Tuesday", date(2024, 3, 19), "day"),  # after publication, never before
        ("next Thursday", date(2024, 3, 21), "day"),  # published on a Thursday: a week on
        ("this coming Friday", date(2024, 3, 15), "day"),
        ("next month", date(2024, 4, 1), "month"),
        ("on March 3", date(2024, 3, 3), "day"),
        ("on March 20", date(2023, 3, 20), "day"),  # no year, after publication: last year
        ("on 3 March 2022", date(2022, 3, 3), "day"),
        ("in February 2022", date(2022, 2, 1), "month"),
        ("last month", date(2024, 2, 1), "month"),
        ("in 2021", date(2021, 1, 1), "year"),
        ("last year", date(2023, 1, 1), "year"),
    ],
)
def test_date_phrases_resolve_against_publication(phrase, expected, precision):
    resolved = resolve_phrase(phrase, THURSDAY)
    assert resolved is not None
    assert (resolved.value, resolved.precision) == (expected, precision)


def test_relative_phrases_need_a_publication_date():
    assert resolve_phrase("on Tuesday", None) is None
    assert resolve_phrase("yesterday", None) is None
    assert resolve_phrase("on March 3, 2022", None).value == date(2022, 3, 3)


def test_event_date_comes_from_the_phrase_attached_to_the_action():
    record = only(events("Chinese Premier Li Wen visited Laos on Tuesday."))
    assert (record["event_date"], record["date_precision"], record["date_text"]) == (
        "2024-03-12",
        "day",
        "on Tuesday",
    )


def test_date_inside_a_since_phrase_does_not_date_the_event():
    record = only(events("Chinese Premier Li Wen visited Laos, its ally since 1950."))
    assert record["event_date"] == "2024-03-14"
    assert record["date_text"] is None


def test_no_date_phrase_means_the_publication_date():
    record = only(events("Egypt condemned Ethiopia over the dam."))
    assert (record["event_date"], record["date_precision"], record["date_text"]) == (
        "2024-03-14",
        "day",
        None,
    )


def test_without_publication_date_only_absolute_dates_resolve():
    relative = only(events("Egypt condemned Ethiopia on Tuesday.", published=None))
    assert (relative["event_date"], relative["date_precision"]) == (None, None)
    absolute = only(events("Egypt condemned Ethiopia on March 3, 2022.", published=None))
    assert (absolute["event_date"], absolute["date_precision"]) == ("2022-03-03", "day")


@pytest.mark.parametrize(
    ("text", "visited", "city", "geonameid"),
    [
        (
            "Icelandic Prime Minister Sigrun Olafsdottir paid an official visit to Gaborone on Monday.",
            "BWAGOV",
            "Gaborone",
            933773,
        ),
        ("The Finnish foreign minister travelled to Montevideo for talks.", "URYGOV", "Montevideo", 3441575),
        ("Malaysian Prime Minister Hamid Razali visited Yaounde on Monday.", "CMRGOV", "Yaoundé", 2220957),
    ],
)
def test_visit_to_a_city_targets_its_government_even_when_the_model_misses_the_name(
    text, visited, city, geonameid
):
    record = only(events(text), root="04")
    assert record["actor2"]["code"] == visited
    location = record["location"]
    assert (location["name"], location["geonameid"], location["country"]) == (city, geonameid, visited[:3])


def test_a_shared_city_name_resolves_in_a_preferred_country():
    assert lookup_place("Athens").geonameid == 264371  # Greece: the most populous Athens
    athens_georgia = lookup_place("Athens", ("FRA", "USA"))
    assert (athens_georgia.country, athens_georgia.geonameid) == ("USA", 4180386)


def test_a_demonym_in_the_plural_names_the_people_of_that_country():
    assert country_code("Malawians") == ("MWI", "demonym")
    assert country_code("Israelis") == ("ISR", "demonym")
    assert country_code("Chineses") is None  # "Chinese" is its own plural


def test_a_future_meeting_next_tuesday_is_dated_after_publication():
    record = only(events("Kenyan officials will meet Ugandan officials in Nairobi next Tuesday."))
    assert record["action"]["future"] is True
    assert (record["event_date"], record["date_precision"]) == ("2024-03-19", "day")


def test_earlier_this_week_claims_no_day():
    record = only(events("Kenyan police arrested dozens of protesters in Nairobi earlier this week."))
    assert (record["event_date"], record["date_precision"]) == ("2024-03-11", "week")
