"""The batched line breaks of pipeline.localization.linebreaks against libunistring's own fill."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.localization import linebreaks
from pipeline.localization.linebreaks import NARROW, Breaker

needs_unistring = pytest.mark.skipif(linebreaks._possible is None, reason="libunistring not installed")

# What a PO string looks like once escaped: words, spaces, punctuation that the Unicode rules
# treat differently (hyphens, slashes, quotes, brackets, digits), escape sequences, accents.
atoms = st.sampled_from(
    [
        "a", "word", "Ünïcödé", "ΑΒΓ", "доза", " ", "  ", "-", "--", "/", "\\\\n", "\\\\", '\\"', "\\t",
        "(", ")", "[", "]", "{", "}", "<1>", "</1>", ",", ".", ";", ":", "!", "?", "%", "$", "+",
        "1", "42", "3.5", "'", "#", "&", "*", "@", "_", "~", "|", "\u2014", "\u2026", "\u201c", "\u00a0",
        "z" * 70, "http://example.org/a-b",
    ]
)  # fmt: skip
escaped_text = st.lists(atoms, min_size=1, max_size=40).map("".join)


@needs_unistring
def test_every_narrow_character_is_one_column_wide_for_libunistring():
    library = ctypes.CDLL(ctypes.util.find_library("unistring"))
    width = library.uc_width
    width.restype, width.argtypes = ctypes.c_int, [ctypes.c_uint32, ctypes.c_char_p]
    narrow = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000 and NARROW.fullmatch(chr(c))]
    assert len(narrow) > 1000
    assert [hex(c) for c in narrow if width(c, b"UTF-8") != 1] == []


@needs_unistring
@settings(max_examples=300, deadline=None)
@given(
    st.lists(escaped_text, min_size=1, max_size=8),
    st.integers(min_value=10, max_value=90),
    st.integers(min_value=0, max_value=20),
)
def test_batched_breaks_are_libunistrings_breaks(texts, width, startcol):
    # Found for a whole batch in one call and filled in Python, breaks must be exactly those that
    # u8_width_linebreaks chooses for each string on its own (what msgmerge calls).
    breaker = Breaker()
    breaker.prepare(texts)
    for text in texts:
        expected = linebreaks._pieces(text, width, startcol)
        assert breaker.pieces(text, width, startcol) == expected
        assert breaker.one_line(text, width, startcol) == (len(expected) == 1)


@needs_unistring
def test_a_string_that_is_not_narrow_is_filled_by_libunistring():
    text = "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字 and some words " * 2
    breaker = Breaker()
    breaker.prepare([text])
    assert breaker.marks == {}
    assert breaker.pieces(text, 40, 5) == linebreaks._pieces(text, 40, 5)
    assert max(len(piece.encode()) for piece in breaker.pieces(text, 40, 5)) > 40  # two columns each


def test_a_string_that_fits_is_one_piece_without_libunistring_being_asked(monkeypatch):
    monkeypatch.setattr(linebreaks, "_pieces", None)  # would fail if called
    assert Breaker().pieces("short and ásçii-ish", 40, 5) == ["short and ásçii-ish"]
