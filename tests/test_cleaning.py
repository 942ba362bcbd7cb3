"""Cleaning: normalisation, boilerplate lines, HTML, language guess."""

from worker.core.cleaning import clean_text, guess_language, html_to_text, is_boilerplate


def test_whitespace_and_unicode_are_normalised():
    raw = "  The\u00a0minister\u200b  arrived.\r\n\r\n\tTalks   began. \ufeff"
    assert clean_text(raw) == "The minister arrived.\nTalks began."


def test_trailing_boilerplate_lines_are_dropped_but_sentences_kept():
    raw = "Leaders met in Nairobi.\nRead more\nSource link\nAdvertisement\n© 2024 Wire Ltd"
    assert clean_text(raw) == "Leaders met in Nairobi."
    assert not is_boilerplate("Read more about how the source of the river was found.")


def test_html_scripts_and_styles_are_removed():
    html = ("<html><head><style>p{}</style></head><body><script>alert('x')</script>"
            "<p>Police arrested two men.</p><p>Read more</p></body></html>")
    assert clean_text(html, is_html=True) == "Police arrested two men."
    assert "alert" not in html_to_text(html)


def test_markup_inside_text_field_is_treated_as_html():
    assert clean_text("<p>Rebels attacked a post.</p><script>steal()</script>") == \
        "Rebels attacked a post."


def test_cleaning_is_deterministic():
    raw = "A  b\n\nC"
    assert clean_text(raw) == clean_text(raw) == "A b\nC"


def test_language_guess_tells_english_from_other_languages():
    english = "The president said on Monday that the government would meet the opposition in the capital."
    german = "Der Präsident sagte am Montag, dass die Regierung sich mit der Opposition treffen werde."
    russian = "Президент заявил в понедельник, что правительство встретится с оппозицией в столице."
    assert guess_language(english) == "en"
    assert guess_language(german) is None
    assert guess_language(russian) is None
    assert guess_language("Short line.") == "en"  # too short to tell: not rejected
