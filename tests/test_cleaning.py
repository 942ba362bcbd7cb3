"""Cleaning: normalisation, boilerplate lines, HTML."""

import tomllib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest

from worker.core.cleaning import clean_page, clean_text, html_to_text, is_boilerplate


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


PAGE = (Path(__file__).parent / "fixtures" / "pages" / "nairobi_talks.html").read_text("utf-8")


def test_a_news_page_gives_its_article_text_only():
    page = clean_page(PAGE, is_html=True)
    assert "NAIROBI — Kenya and Uganda signed an agreement" in page.text
    assert "the two governments." in page.text  # the last paragraph is kept
    for noise in ("cookies", "Accept all", "Sport", "Share on", "Photo: Courier staff",
                  "Ethiopian soldiers", "Reader comments", "Most read", "cattle raid", "All rights"):
        assert noise not in page.text, noise


def test_a_news_page_gives_its_own_title_author_and_date():
    page = clean_page(PAGE, is_html=True)
    assert page.title == "Kenya and Uganda sign border trade pact"
    assert page.author == "Wanjiru Kamau"
    assert page.date == datetime(2024, 3, 12, 6, 15, tzinfo=UTC)
    assert page.cleaner == f"trafilatura {version('trafilatura')}"


def test_the_cleaner_is_the_version_pinned_in_pyproject():
    # dedup hashes the cleaned text: a new cleaner version is a deliberate change of the pin
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
    assert f"trafilatura=={version('trafilatura')}" in pyproject["project"]["optional-dependencies"]["worker"]


@pytest.mark.parametrize("html", ["<script>while(1){}</script><style>p{}</style>",
                                  "<html><body><figure><img src='a.jpg'></figure></body></html>",
                                  "<!--" * 1000])
def test_a_page_without_article_text_cleans_to_nothing(html):
    assert clean_page(html, is_html=True).text == ""
