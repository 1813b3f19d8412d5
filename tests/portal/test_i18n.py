"""Interface strings: every locale complete, plurals, pseudo-locale, escaping and contrast of the palette."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from portal import i18n


@pytest.mark.parametrize("locale", ["es", "zh_Hans", "ar", "en_XA"])
def test_every_locale_has_every_string_with_the_same_placeholders(locale: str) -> None:
    english = i18n.STRINGS["en"]
    assert set(i18n.STRINGS[locale]) == set(english)
    for key, value in english.items():
        theirs = i18n.STRINGS[locale][key]
        forms = theirs.values() if isinstance(theirs, dict) else [theirs]
        wanted = set(re.findall(r"\{(\w+)\}", value["other"] if isinstance(value, dict) else value)) - {
            "count"
        }
        for form in forms:
            assert wanted <= set(re.findall(r"\{(\w+)\}", form)), (locale, key)
        assert isinstance(theirs, dict) == isinstance(value, dict), key


def test_translations_differ_from_english() -> None:
    for locale in ("es", "zh_Hans", "ar"):
        same = [k for k, v in i18n.STRINGS[locale].items() if v == i18n.STRINGS["en"][k]]
        assert same == [], locale


def test_plural_forms_follow_cldr() -> None:
    assert i18n.text("en", "results_count", count=1, query="q") == "1 result for “q”"
    assert i18n.text("es", "results_count", count=2, query="q") == "2 resultados para «q»"
    assert i18n.text("ar", "results_count", count=2, query="q") == "نتيجتان لـ «q»"
    assert i18n.text("ar", "results_count", count=5, query="q") == "5 نتائج لـ «q»"
    assert i18n.text("ar", "results_count", count=11, query="q") == "11 نتيجة لـ «q»"
    assert i18n.text("zh_Hans", "results_count", count=1, query="q") == "找到 1 条与“q”相关的结果"


def test_pseudo_locale_is_accented_and_bracketed_and_keeps_placeholders() -> None:
    assert i18n.pseudo("Search {query}") == "[Šéåŕçĥ {query}]"
    value = i18n.text("en_XA", "no_results", query="x")
    assert value.startswith("[") and value.endswith("]") and "“x”" in value
    assert not re.search(r"[a-z]{3}", i18n.text("en_XA", "nav_glossary"))


def test_markup_escapes_values_but_not_markup() -> None:
    out = i18n.markup("en", "did_you_mean", suggestion=Markup('<a href="/">x</a>'))
    assert out == 'Did you mean <a href="/">x</a>?'
    assert "&lt;script&gt;" in i18n.markup("en", "no_results", query="<script>")


def test_locales_and_normalization() -> None:
    assert [l.tag for l in i18n.LOCALES.values()] == ["en", "es", "zh-Hans", "ar", "en-XA"]
    assert i18n.LOCALES["ar"].dir == "rtl"
    assert i18n.normalize_locale("zh-hans") == "zh_Hans"
    assert i18n.normalize_locale("EN_xa") == "en_XA"
    assert i18n.normalize_locale("fr") is None and i18n.normalize_locale("") is None


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_palette_text_contrast_is_at_least_4_5() -> None:
    css = (Path(i18n.__file__).parent / "static" / "portal.css").read_text(encoding="utf-8")
    palette = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("ink", "paper"),
        ("muted", "paper"),
        ("muted", "soft"),
        ("link", "paper"),
        ("link-visited", "paper"),
        ("brand-ink", "brand"),
        ("ink", "notice-bg"),
        ("ink", "mark"),
        ("focus-ink", "focus"),
        ("link", "soft"),
    ]
    for fg, bg in pairs:
        assert contrast(palette[fg], palette[bg]) >= 4.5, (fg, bg)
    for kind_color in re.findall(r"\.kind-\w+ \{ color: (#[0-9a-fA-F]{6})", css):
        assert contrast(kind_color, "#ffffff") >= 4.5
    assert contrast("#777777", "#ffffff") < 4.5  # the check can fail


@pytest.mark.parametrize(
    "token",
    ["1-800-FDA-1088", "1-888-423-5436", "(888) 423-5436", "+1 888 423 5436", "medwatch@fda.hhs.gov"],
)
def test_pseudo_locale_never_alters_phone_numbers_or_addresses(token: str) -> None:
    from pipeline.localization.pseudo import pseudo_translate

    text = pseudo_translate(f"Call {token} to report side effects.")
    assert token in text
    assert "Call" not in text  # the words around it are still pseudo-localized
