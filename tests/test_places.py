"""Places chosen in context: datelines with qualifiers, namesakes, government buildings, calendar words,
the entity layer's countries and where each event happened (issue 10's failures, in our own words)."""

from __future__ import annotations

from typing import Any

import pytest
from extraction_fixtures import MODEL, events, only, run

from worker.core.nlp import load_model
from worker.extraction.context import country_focus
from worker.extraction.entities import build_entities
from worker.extraction.gazetteer import lookup_place, qualifier
from worker.extraction.parse_repair import repair_parse
from worker.extraction.places import dateline_place, event_location


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


def _where(sentence: str, verb: str) -> tuple[str, str, str | None] | None:
    """Where the event of ``verb`` in ``sentence`` happened by the extractor's rules, as (place name,
    basis, the text of its span): the sentence alone, no dateline."""
    doc = load_model(MODEL)(sentence)
    repair_parse(doc)
    table = build_entities(doc, None)
    anchor = next(token for token in doc if token.text == verb)
    found = event_location(anchor.sent, table, [anchor], set(), allow_destination=False, dateline=None,
                           focus=country_focus(table, None))
    if found is None:
        return None
    span = sentence[found.span[0] : found.span[1]] if found.span else None
    return found.place.name, found.basis, span


@pytest.mark.parametrize(("sentence", "verb", "span"), [
    # a village the tagger misses, inside a region named in the same sentence
    ("Four shepherds were killed in the village of Umm Tallal in the eastern countryside of Hama.",
     "killed", "Umm Tallal"),
    # the name before a district's noun names it; the place after "of" contains it
    ("Militants ambushed a convoy near the Sadiq area of Rawan district on Monday.", "ambushed", "Sadiq"),
    ("A bomb exploded in Mosul's eastern district of Zuhur on Friday.", "exploded", "Zuhur"),
    # a settlement's noun is named after "of"; the name before it is the region it lies in
    ("Marines captured the Red Sea island of Jabal Zuqar after two days of fighting.", "captured",
     "Jabal Zuqar"),
    # a name in apposition to a locality noun, coordinated names
    ("Two reporters were arrested in the country's largest city, Douala, on Friday.", "arrested", "Douala"),
    ("Rebels shelled the towns of Kafr Nabl and Maarat Misrin overnight.", "shelled", "Kafr Nabl"),
    # a town or region qualified in apposition keeps the town
    ("Police raided a warehouse in Everett, Mass., on Tuesday.", "raided", "Everett"),
    ("Twelve fighters were killed in clashes in Makhmur district, northern Iraq.", "killed", "Makhmur"),
])
def test_the_finest_place_of_the_events_phrase_is_where_it_happened(sentence, verb, span):
    assert _where(sentence, verb)[1:] == ("clause", span)


def test_a_place_the_event_was_done_to_in_a_clause_under_it_is_where_it_happened():
    found = _where("Five people were killed when militants stormed the village of Abu Hamam at dawn.",
                   "killed")
    assert found[1:] == ("clause", "Abu Hamam")
    found = _where("Dozens were killed by troops who tried to break a siege of the city of Idlib.", "killed")
    assert found[1:] == ("clause", "Idlib")


def test_a_place_named_by_a_verb_coordinated_with_the_event_is_its_place():
    found = _where("Six villagers were killed and ten others wounded in the shelling of the Halfaya "
                   "district.", "killed")
    assert found[1:] == ("clause", "Halfaya")


def test_a_site_with_a_name_is_a_place():
    assert _where("The army recaptured the Zahra Hospital after a long battle.", "recaptured")[1:] == (
        "clause", "Zahra Hospital")


def test_a_nationality_is_no_place_but_at_a_border_it_says_whose():
    assert _where("Troops clashed with gunmen near the Syrian capital Damascus on Friday.",
                  "clashed")[1:] == ("clause", "Damascus")
    name, basis, span = _where("Hundreds of migrants protested at the Greek-Albanian border on Sunday.",
                               "protested")
    assert (name, basis, span) == ("Greece", "clause", "Greek")


@pytest.mark.parametrize(("sentence", "verb", "not_a_place"), [
    ("In Nov. 2014, gunmen killed a judge in Mosul.", "killed", "Nov."),
    ("On the first day of Ramadan, a car bomb killed ten people in Baghdad.", "killed", "Ramadan"),
    ("The marchers reached Copenhagen at 7 p.m. (1800 GMT) and rallied in front of parliament.",
     "rallied", "GMT"),
])
def test_times_and_feasts_are_not_where_it_happened(sentence, verb, not_a_place):
    found = _where(sentence, verb)
    assert found is None or found[2] != not_a_place


@pytest.mark.parametrize(("sentence", "verb"), [
    # the reporting verb's object is not where the event happened
    ("A roadside bomb exploded near a patrol last night, a police officer told Xinhua.", "exploded"),
    # a person's site, a document's name
    ("Police patrolled outside Hendricks's hotel on Sunday.", "patrolled"),
    ("Jefferson wrote the first draft of the Declaration of Independence in 1776.", "wrote"),
    # a name no table knows that only modifies another noun
    ("The officers were wounded at the hands of KLF fighters.", "wounded"),
])
def test_names_that_are_not_where_it_happened_give_no_clause_place(sentence, verb):
    found = _where(sentence, verb)
    assert found is None or found[1] != "clause"


def test_holidays_and_abbreviated_months_are_never_places():
    assert lookup_place("Ramadan") is None
    assert lookup_place("Nov.") is None


def test_a_direction_word_before_a_place_keeps_the_place_and_names_with_one_stay_whole():
    assert _where("The rebels seized two towns in Western Afghanistan in September.", "seized") == (
        "Afghanistan", "clause", "Western Afghanistan")
    assert _where("Farmers protested in North Carolina on Monday.", "protested")[0] == "North Carolina"


@pytest.mark.parametrize(("sentence", "verb"), [
    # a phrase of another time
    ("Police have detained dozens of suspects since the ceasefire in southern Mosul took effect.",
     "detained"),
    # where it was said
    ("Speaking to reporters in Nairobi, the minister said the rebels had seized two towns.", "seized"),
])
def test_places_of_another_time_or_of_the_saying_are_not_where_it_happened(sentence, verb):
    found = _where(sentence, verb)
    assert found is None or found[1] != "clause"


def test_a_name_no_table_knows_is_a_place_as_the_object_of_a_verb_done_to_ground():
    assert _where("At dawn the militia stormed Qasr Nabil from two sides.", "stormed")[1:] == (
        "clause", "Qasr Nabil")
    # after a verb also done to people, such a name is no place
    found = _where("At dawn the militia captured Qasr Nabil and two of his guards.", "captured")
    assert found is None or found[1] != "clause"
