"""The field's verb dictionary as the base of the lexicon: senses from the object, verbs the hand
lexicon lacks, lemmatizer slips, and the field's discard list. Sentences written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

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


def test_release_of_persons_needs_people_released():
    assert [r["action"]["cameo"] for r in events("Burmese authorities released 20 prisoners on Monday.")] == [
        "0841"]
    assert all(r["action"]["cameo"] != "0841"
               for r in events("Prosecutors released video evidence of the raid on Friday."))


def test_a_use_the_dictionary_names_as_no_event_is_not_coded():
    # "release a statement" is a statement, not a release; the statement's content is the event
    record = only(events("The Kenyan foreign ministry released a statement condemning the Ugandan raid."))
    assert (record["actor1"]["code"], record["action"]["plover"], record["actor2"]["country"]) == (
        "KENGOV", "ACCUSE", "UGA")


def test_the_means_named_by_a_prepositional_object_pick_the_sense():
    record = only(events("Washington targeted Iran's oil exports with new sanctions on Monday."))
    assert (record["action"]["cameo"], record["action"]["plover"], record["actor2"]["code"]) == (
        "163", "COERCE", "IRNGOV")


def test_a_nations_people_or_forces_act_for_it():
    record = only(events("Hundreds of Peruvian miners demonstrated in Arequipa on Thursday."))
    assert (record["actor1"]["code"], record["action"]["plover"]) == ("PER", "PROTEST")
    record = only(events("Israeli tanks shelled a refugee camp in Gaza on Tuesday."))
    assert (record["actor1"]["country"], record["actor2"]["country"]) == ("ISR", "PSE")
    assert events("Argentine players attacked the referee after the match.") == []


def test_people_resolve_through_the_actor_dictionary_by_the_date_of_the_article():
    def codes(year: int) -> list[tuple[str, str]]:
        published = datetime(year, 3, 14, tzinfo=UTC)
        records = events("Hosni Mubarak met Yasser Arafat in Cairo on Monday.", published)
        return [(r["actor1"]["code"], (r["actor2"] or {}).get("code")) for r in records]

    assert codes(1995) == [("EGYGOV", "PSEGOV")]  # president of Egypt then; Arafat led the PNA
    assert codes(2015)[0][0] == "EGYELI"  # a former leader after 2011


def test_a_dictionary_default_needs_people_as_its_object():
    # "increase" has a cooperative default code in the field's dictionary; "the risk" is nobody
    assert events("The new sanctions increase the risk of a confrontation between Russia and NATO.") == []


def test_people_the_dictionaries_lack_resolve_through_the_hand_table_by_date():
    text = "Opposition leader Keir Starmer accused Boris Johnson of misleading parliament."
    record = only(events(text, datetime(2021, 6, 1, tzinfo=UTC)))
    assert (record["actor1"]["code"], record["action"]["plover"], record["actor2"]["code"]) == (
        "GBROPP", "ACCUSE", "GBRGOV")  # Johnson was prime minister then
    assert only(events(text, datetime(2023, 6, 1, tzinfo=UTC)))["actor2"]["code"] == "GBRELI"


def test_a_party_takes_the_country_of_the_article():
    record = only(events("LONDON — Mr Johnson said taxes would not rise, and Labour attacked the plan."))
    assert (record["actor1"]["code"], record["action"]["cameo"]) == ("GBRPTY", "111")


def test_a_leader_in_an_undated_text_keeps_the_country_all_his_roles_share():
    # the dictionaries list Ronald Reagan with dated roles only, all American
    record = only(events("Ronald Reagan received Canadian officials in Washington.", published=None))
    assert record["actor1"]["country"] == "USA"


def test_a_leader_is_found_under_the_title_the_text_gives_him():
    record = only(events("President Reagan praised the Canadian prime minister.", published=None))
    assert (record["actor1"]["country"], record["actor2"]["code"]) == ("USA", "CANGOV")


def test_an_officer_of_an_organisation_takes_no_country_from_his_nationality():
    record = only(events("U.N. Secretary-General Javier Perez de Cuellar met Iranian officials in Tehran.",
                         published=None))
    assert (record["actor1"]["code"], record["actor1"]["country"], record["actor2"]["country"]) == (
        "IGOUNO", None, "IRN")


def test_an_object_naming_people_in_a_pattern_is_the_target():
    record = only(events("The Ugandan high court indicted Kenya's prime minister on Monday."))
    assert (record["action"]["plover"], record["actor2"]["code"]) == ("ACCUSE", "KENGOV")


def test_a_preposition_of_the_demanded_act_does_not_name_whom_the_demand_is_made_of():
    record = only(events("Kenyan lawmakers demanded the withdrawal of Ugandan troops from Somalia."))
    assert (record["action"]["plover"], record["actor2"]["code"]) == ("REQUEST", "UGAMIL")


def test_the_compound_of_an_object_says_what_kind_it_is():
    record = only(events("Japan suspended aid shipments to North Korea on Tuesday."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("SANCTION", "PRK")


def test_part_of_an_object_is_seen_through_to_the_object():
    record = only(events("Germany suspended part of its aid programme for Mali."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("SANCTION", "MLI")


def test_announcing_or_organising_an_event_noun_is_that_event():
    record = only(events("Ghana announced new sanctions against Togo on Monday."))
    assert (record["actor1"]["country"], record["action"]["plover"], record["actor2"]["country"]) == (
        "GHA", "COERCE", "TGO")  # CAMEO 163 (impose sanctions) is PLOVER COERCE
    record = only(events("Zimbabwean opposition parties organised a general strike against the government."))
    assert (record["actor1"]["country"], record["action"]["plover"]) == ("ZWE", "PROTEST")


def test_the_dictionary_tells_what_is_withdrawn_and_the_agents_own_are_no_target():
    record = only(events("Kenya withdrew its troops from Somalia on Monday."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("RETREAT", "SOM")
    record = only(events("Ghana withdrew its ambassador from Mali on Monday."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("SANCTION", "MLI")
    record = only(events("Ghana said it will withdraw its peacekeeping force from Mali."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("THREATEN", "MLI")


def test_a_complaint_targets_what_it_is_about_not_its_audience():
    record = only(events("Chad complained to the African Union on Monday about Sudanese border raids."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("ACCUSE", "SDN")


def test_giving_a_welcome_is_hosting_not_aid():
    record = only(events("Kenyan President Daniel Mwangi gave a warm welcome to the Ugandan president."))
    assert (record["action"]["cameo"], record["action"]["plover"], record["actor2"]["code"]) == (
        "043", "CONSULT", "UGAGOV")


def test_withdrawing_inspectors_or_observers_is_a_sanction_and_announcing_it_a_threat():
    record = only(events("The African Union withdrew its election observers from Guinea on Monday."))
    assert (record["action"]["cameo"], record["action"]["plover"], record["actor2"]["country"]) == (
        "1662", "SANCTION", "GIN")
    record = only(events("The UN said it will withdraw its weapons inspectors from Libya."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("THREATEN", "LBY")


def test_receiving_observers_or_accepting_demands_is_a_concession():
    record = only(events("Mali received a team of election observers from the African Union."))
    assert (record["action"]["cameo"], record["action"]["plover"], record["actor2"]["code"]) == (
        "0862", "RETREAT", "IGOAFU")
    record = only(events("The Ethiopian government accepted demands from Tigrayan rebels on Monday."))
    assert (record["action"]["cameo"], record["action"]["plover"]) == ("083", "CONCEDE")


def test_reinforcing_forces_somewhere_is_a_mobilisation_there():
    record = only(events("Chad has reinforced its troops in northern Mali, diplomats said."))
    assert (record["actor1"]["country"], record["action"]["plover"], record["actor2"]["country"]) == (
        "TCD", "MOBILIZE", "MLI")


def test_the_agents_own_things_are_no_target_but_the_people_the_act_is_for_are():
    record = only(events("Kenya plans to impose restrictions on its labour market for Ugandan workers."))
    assert (record["action"]["plover"], record["actor2"]["country"]) == ("THREATEN", "UGA")
    assert not record["actor2"]["text"].startswith("its")  # the market is Kenya's own, not the target


def test_what_the_subject_is_picks_the_sense_of_a_hand_lexicon_verb():
    # the hand lexicon's "arrive" is a visit; the dictionary's subject patterns say troops deploy
    record = only(events("UN peacekeeping troops arrived in Bosnia on Monday."))
    assert (record["actor1"]["code"], record["action"]["plover"], record["actor2"]["country"]) == (
        "IGOUNO", "AID", "BIH")
    record = only(events("The Kenyan foreign minister arrived in Uganda on Monday."))
    assert (record["action"]["cameo"], record["action"]["plover"]) == ("042", "CONSULT")
    # the subject seen through a container noun: the troops are what arrived
    record = only(events("A contingent of Kenyan troops arrived in Haiti on Monday."))
    assert (record["actor1"]["code"], record["action"]["plover"], record["actor2"]["country"]) == (
        "KENMIL", "AID", "HTI")


def test_welcoming_a_report_is_support_and_welcoming_a_person_is_hosting():
    record = only(events("The Dutch government welcomed the Belgian report on border checks."))
    assert (record["action"]["cameo"], record["action"]["plover"], record["actor2"]["country"]) == (
        "051", "SUPPORT", "BEL")
    record = only(events("The Dutch premier welcomed Belgian Prime Minister Jan Peeters to The Hague."))
    assert (record["action"]["cameo"], record["action"]["plover"], record["actor2"]["code"]) == (
        "043", "CONSULT", "BELGOV")


def test_easing_a_curfew_or_a_state_of_emergency_is_a_concession():
    record = only(events("The Nigerian government lifted the curfew in Kano on Friday."))
    assert (record["action"]["cameo"], record["action"]["plover"]) == ("0813", "CONCEDE")
    record = only(events("Peru's government lifted the state of emergency in Lima on Monday."))
    assert (record["action"]["cameo"], record["action"]["plover"]) == ("0814", "CONCEDE")


def test_a_pattern_noun_is_met_by_its_listed_synonym():
    # the dictionary's patterns say "diplomatic relation" and "protest"; the text says "ties", "demonstration"
    assert {(e["actor1"]["code"], e["actor2"]["code"], e["action"]["plover"])
            for e in events("Chile and Peru upgraded their diplomatic ties.")} == {
        ("CHLGOV", "PERGOV", "SUPPORT"), ("PERGOV", "CHLGOV", "SUPPORT")}
    # praise or support is not mutual: each of the joint subjects praises, no one is the other's target
    praise = events("France and Germany praised the new climate deal.")
    assert {(e["actor1"]["code"], e["actor2"]) for e in praise} == {("FRAGOV", None), ("DEUGOV", None)}
    record = only(events("Turkish police prevented a demonstration by Kurdish students in Ankara."))
    assert (record["actor1"]["code"], record["action"]["cameo"], record["action"]["plover"]) == (
        "TURCOP", "1721", "COERCE")


def test_whom_a_verb_lets_act_is_its_target():
    record = next(e for e in events("The Kenyan minister allowed the opposition leader to hold a rally.")
                  if e["action"]["plover"] == "CONCEDE")
    assert (record["actor1"]["code"], record["actor2"]["code"]) == ("KENGOV", "KENOPP")
