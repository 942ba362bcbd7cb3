"""The field's verb dictionary as the base of the lexicon: senses from the object, verbs the hand
lexicon lacks, lemmatizer slips, and the field's discard list. Sentences written for these tests."""

from __future__ import annotations

from extraction_fixtures import events, only

from worker.extraction.lexicon import nearest_code


def test_the_object_picks_the_sense_of_a_verb_the_hand_lexicon_lacks():
    record = only(events("The Rwandan army abandoned its positions near Goma."))
    assert (record["actor1"]["code"], record["action"]["cameo"], record["action"]["plover"]) == (
        "RWAMIL", "0874", "RETREAT")


def test_an_object_a_pattern_names_is_what_is_done_and_the_target_is_elsewhere():
    record = only(events("Kenya abandoned the ceasefire with Somali militants."))
    assert (record["action"]["cameo"], record["actor2"]["code"]) == ("196", "SOMREB")


def test_a_verb_again_is_the_verb_and_its_event_noun_codes_it():
    record = only(events("Israel reimposed a blockade on the West Bank on Friday."))
    assert (record["actor1"]["code"], record["action"]["plover"], record["actor2"]["country"]) == (
        "ISRGOV", "COERCE", "PSE")


def test_a_verb_that_needs_a_political_target_ignores_the_press():
    assert events("Kenyan President Daniel Mwangi spoke to reporters in Nairobi.") == []


def test_sentences_on_the_fields_discard_list_code_nothing():
    assert events("Lionel Messi scored two goals as Argentina defeated Brazil in the qualifier.") == []
    assert events("The Ghanaian president congratulated the relay team on its gold medal.") == []


def test_a_background_year_does_not_discard_a_sentence():
    record = only(events("Uganda expelled two Kenyan diplomats accused of spying since 1990."))
    assert record["action"]["plover"] == "SANCTION"  # expelling diplomats: CAMEO 166


def test_codes_newer_than_our_table_fall_back_to_their_parent():
    assert (nearest_code("176"), nearest_code("1213"), nearest_code("0874")) == ("17", "121", "0874")
    assert nearest_code("99") is None
