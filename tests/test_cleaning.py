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


def test_unicode_forms_and_invisible_characters_have_one_cleaned_text():
    # Dedup hashes and evidence offsets depend on this exact text (NFKC, invisibles dropped).
    raw = ("O\ufb03cials\u00a0said\u00ad \uff12\uff10\uff12\uff14 talks\u2060 ended.\r"
           "Cafe\u0301 owners   met.\r\n\r\nRead more")
    assert clean_text(raw) == "Officials said 2024 talks ended.\nCaf\u00e9 owners met."


def test_html_entities_and_blocks_have_one_cleaned_text():
    html = "<p>Fish &amp; chips&nbsp;sold</p><div>Second&#160;line<br>third</div><nav>Home</nav>"
    assert clean_text(html, is_html=True) == "Fish & chips sold\nSecond line\nthird"


def test_language_guess_tells_english_from_other_languages():
    english = "The president said on Monday that the government would meet the opposition in the capital."
    german = "Der Präsident sagte am Montag, dass die Regierung sich mit der Opposition treffen werde."
    russian = "Президент заявил в понедельник, что правительство встретится с оппозицией в столице."
    assert guess_language(english) == "en"
    assert guess_language(german) is None
    assert guess_language(russian) is None
    assert guess_language("Short line.") == "en"  # too short to tell: not rejected
