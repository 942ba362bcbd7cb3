"""Event records: contract, evidence offsets, confidence, stable ids, and a whole article."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import jsonschema
from extraction_fixtures import events, only, run

from worker.extraction.events import event_id

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "tests" / "fixtures" / "visit_article.txt").read_text(encoding="utf-8")
ARTICLE_PUBLISHED = datetime.fromisoformat("2024-03-14T09:00:00+00:00")  # a Thursday
SCHEMA = json.loads((ROOT / "schemas" / "event.created.v1.json").read_text(encoding="utf-8"))
# The article's events in text order: event id -> the key it hashes (actor1|actor2|root|date|country).
ARTICLE_EVENT_KEYS = {
    "ev_4bfa9b94ff2a65f4": "MDAGOV|IGOEUR|04|2024-03-13|BEL",  # the visit, on Wednesday
    "ev_323ebcd13cb5b690": "MDAGOV|IGOEUR|04|2024-03-14|BEL",  # talks with the EU's Lindgren
    "ev_797f16ad1358d901": "MDAGOV|ROUGOV|04|2024-03-14|BEL",
    "ev_dd1581fab8345eec": "MDAGOV|UKRGOV|04|2024-03-14|BEL",
    "ev_44cd1d6ddd84ab02": "MDAGOV|IGOEUR|05|2024-03-14|BEL",  # "She thanked the bloc"
    "ev_c8e52937e51aa925": "RUSGOV|MDA|13|2024-03-14|BEL",  # "Moscow has warned" about Chisinau
    "ev_c605054a706369e6": "MDAGOV|EURGOV|02|2024-03-14|BEL",
    "ev_a15980b3d4ad5822": "IGOEUR|MDAGOV|05|2024-03-14|BEL",
}


def _article_events():
    return run(ARTICLE, ARTICLE_PUBLISHED, article_id="visit-1").events


def test_records_validate_against_the_event_schema():
    records = _article_events()
    assert records
    for record in records:
        jsonschema.validate(record, SCHEMA)
        assert 0.0 <= record["confidence"] <= 1.0
        assert record["mentions"] == {"articles": 1, "outlets": 1}


def test_evidence_offsets_point_at_the_actors_and_action_in_the_text():
    sentences = ARTICLE
    for record in _article_events():
        evidence = record["evidence"]
        assert evidence["article_id"] == "visit-1"
        start, end = evidence["actor1_span"]
        assert sentences[start:end] == record["actor1"]["text"]
        start, end = evidence["action_span"]
        assert sentences[start:end] == record["action"]["text"]
        if record["actor2"]["text"]:
            start, end = evidence["actor2_span"]
            assert sentences[start:end] == record["actor2"]["text"]
        else:  # an implied target (a bare country) has no words in the text
            assert evidence["actor2_span"] is None and record["actor2"]["code"] == "MDA"
        assert evidence["sentence"] in sentences
        assert record["action"]["text"] in evidence["sentence"]


def test_sentence_index_counts_sentences_of_the_text():
    text = "Egypt hosted talks on Monday. Mali condemned Niger. Chad praised Sudan."
    records = events(text)
    assert {r["actor1"]["code"]: r["evidence"]["sentence_index"] for r in records} == {
        "EGYGOV": 0,
        "MLIGOV": 1,
        "TCDGOV": 2,
    }


def _hashed(key: str) -> str:
    return "ev_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def test_event_id_is_the_hash_of_the_normalized_key():
    record = only(events("Chilean Foreign Minister Tomas Ibarra visited Kharkiv on Monday."))
    assert record["event_id"] == "ev_456c13fc172da3ef" == _hashed("CHLGOV|UKRGOV|04|2024-03-11|UKR")
    assert event_id("CHLGOV", "UKRGOV", "04", "2024-03-11", "UKR") == "ev_456c13fc172da3ef"
    assert event_id("RUSGOV", None, "13", None, None) == _hashed("RUSGOV||13||")


def test_article_events_get_the_ids_of_their_keys():
    assert [r["event_id"] for r in _article_events()] == list(ARTICLE_EVENT_KEYS)
    for expected_id, key in ARTICLE_EVENT_KEYS.items():
        assert expected_id == _hashed(key), key


def test_same_event_in_different_wording_merges_into_one_id():
    one = only(events("Kenyan President Daniel Mwangi met Ugandan officials in Kampala."))
    other = only(events("Kenyan President Daniel Mwangi held talks with Ugandan officials in Kampala."))
    assert one["event_id"] == other["event_id"]


def test_one_record_per_event_id_within_an_article_keeping_the_most_confident():
    text = (
        "Egyptian President Omar Fathy condemned Israel on Monday. "
        "Fathy also condemned Israel in a speech on Monday."
    )
    records = events(text)
    assert len(records) == 1
    assert records[0]["evidence"]["sentence_index"] == 0  # the direct mention scores higher


def test_confidence_reflects_how_the_record_was_built():
    direct = only(events("Kenyan President Daniel Mwangi criticised Tanzania.", None))
    pronoun = only(events("Kenyan President Daniel Mwangi spoke to reporters. He criticised Tanzania.", None))
    assert direct["confidence"] > pronoun["confidence"]


def test_visit_article_yields_the_expected_records():
    records = _article_events()
    # Two MDAGOV->IGOEUR records share root 04 on different dates: the visit and the talks.
    visits = [r for r in records if r["action"]["cameo"] == "042"]
    assert len(visits) == 1
    visit = visits[0]
    assert visit["actor1"]["name"] == "Elena Rusu"
    assert visit["actor2"]["name"] == "European Union"
    assert (visit["event_date"], visit["date_text"]) == ("2024-03-13", "on Wednesday")
    assert (visit["location"]["name"], visit["location"]["country"]) == ("Brussels", "BEL")

    talks = {
        r["actor2"]["code"]: r["actor2"]["name"]
        for r in records
        if r["action"]["cameo"] == "040" and r["actor1"]["code"] == "MDAGOV"
    }
    assert talks == {
        "IGOEUR": "Hanna Lindgren",
        "ROUGOV": "Andrei Popescu",
        "UKRGOV": "Olena Kovalenko",
    }

    thanks = only(records, actor1="MDAGOV", root="05")
    assert thanks["actor1"]["text"] == "She"
    assert thanks["actor2"]["code"] == "IGOEUR"  # "the bloc"

    warning = only(records, actor1="RUSGOV")
    assert warning["actor1"]["text"] == "Moscow"
    assert warning["action"]["plover"] == "THREATEN"

    appeal = only(records, actor1="MDAGOV", root="02")
    assert appeal["actor2"]["text"] == "European leaders"

    praise = only(records, actor1="IGOEUR", root="05")
    assert praise["actor1"]["name"] == "Hanna Lindgren"
    assert praise["actor2"]["country"] == "MDA"

    # the football result in the last paragraph is not an event
    assert all("football" not in r["evidence"]["sentence"] for r in records)
    # places are never people
    for record in records:
        for actor in (record["actor1"], record["actor2"]):
            if actor and actor["name"] in {"Brussels", "Chisinau"}:
                assert actor["entity_type"] != "PERSON"
    assert len(records) == 8


def test_a_nations_people_are_an_actor_of_that_nation():
    record = only(events("Zambian police expelled forty Malawians from Lusaka on Monday."))
    assert (record["actor1"]["code"], record["actor2"]["code"], record["actor2"]["text"]) == (
        "ZMBCOP", "MWI", "Malawians")


def test_an_unnamed_target_is_domestic():
    record = only(events("The Chilean government imposed a curfew in Valparaiso after riots."))
    assert (record["actor1"]["code"], record["actor2"]["code"], record["actor2"]["text"]) == (
        "CHLGOV", "CHL", "")
    assert record["evidence"]["actor2_span"] is None
    assert (record["location"]["name"], record["location"]["country"]) == ("Valparaíso", "CHL")


def test_a_shared_place_name_goes_to_the_country_the_article_is_about():
    record = only(events("American police arrested three men in Valparaiso on Tuesday."))
    assert (record["location"]["name"], record["location"]["country"]) == ("Valparaiso", "USA")


def test_an_unnamed_target_is_the_party_named_in_what_the_action_governs():
    record = only(events("The Zambian president promised to continue military aid to war-torn Malawi."))
    assert (record["actor1"]["code"], record["actor2"]["code"], record["actor2"]["text"]) == (
        "ZMBGOV", "MWI", "")
    record = only(events("Ecuador threatened to cut all official contact with the European Union."))
    assert (record["action"]["plover"], record["actor2"]["code"]) == ("THREATEN", "IGOEUR")
    # a party named in the topic the sentence opens with is not whom the act is aimed at
    record = only(events("Regarding the border dispute with Uganda, the Kenyan president stressed the need "
                         "for calm."))
    assert record["actor2"]["country"] != "UGA"


def test_a_cooperative_act_about_ones_own_country_has_no_target_but_a_curfew_has_the_public():
    pledge = only(events("Zambia's president pledged to hold free elections in Zambia next year."))
    assert (pledge["action"]["plover"], pledge["actor2"]) == ("AGREE", None)
    curfew = only(events("The Zambian government imposed a curfew in Lusaka."))
    assert (curfew["action"]["plover"], curfew["actor2"]["country"]) == ("COERCE", "ZMB")


def test_an_act_aimed_at_a_list_of_countries_targets_each_of_them():
    records = events("The European Union agreed to provide emergency loans to Malawi, Zambia and Mozambique.")
    assert sorted(r["actor2"]["country"] for r in records) == ["MOZ", "MWI", "ZMB"]


def test_an_outlet_gives_its_country_to_actors_the_text_does_not_place():
    text = "The government imposed a curfew in the capital after riots."
    in_britain = run(text, article_id="o-1", source="BBC News").events
    assert [(r["actor1"]["code"], r["action"]["plover"]) for r in in_britain] == [("GBRGOV", "COERCE")]
    from_a_wire = run(text, article_id="o-2", source="Reuters").events
    assert [r["actor1"]["country"] for r in from_a_wire] == [None]


SPORT_REPORT = (
    "Kenya's national football team lost to Uganda in Kampala on Saturday. The Kenyan captain attacked "
    "the referee's decision after the defeat. The coach said the squad would recover before the "
    "qualifier in Nairobi. Uganda's federation signed a new sponsorship deal with a Kenyan bank. "
    "Kenyan police arrested twenty protesters outside the stadium in Nairobi."
)


def test_a_sport_article_codes_only_material_conflict():
    records = run(SPORT_REPORT, article_id="sport-1").events
    assert {r["action"]["quad_class"] for r in records} <= {4}
    assert any(r["action"]["plover"] == "COERCE" for r in records)  # the arrests


def test_a_political_article_that_mentions_a_cup_still_codes():
    text = ("Kenyan President Daniel Mwangi met Ugandan President Joseph Okello in Kampala on Monday. "
            "The two leaders also discussed hosting the regional football cup.")
    assert any(r["action"]["plover"] == "CONSULT" for r in run(text, article_id="pol-1").events)
