"""Our reader, writer and merge against GNU msgmerge: real catalogs and one case per problem of
issue #13 (each compared byte for byte with `msgmerge --previous` on the same pair)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.localization.merge import merge_files
from pipeline.localization.pofile import read_catalog, render_catalog

SPHINX = Path(__file__).resolve().parents[2] / "data" / "po" / "sphinx"
pytestmark = pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext not installed")

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
XGETTEXT_POT = (
    '# SOME DESCRIPTIVE TITLE.\n#, fuzzy\nmsgid ""\nmsgstr ""\n'
    '"Project-Id-Version: PACKAGE VERSION\\n"\n"POT-Creation-Date: 2024-03-03 03:03+0100\\n"\n'
    '"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\\n"\n"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"\n'
    '"Language: \\n"\n"Content-Type: text/plain; charset=CHARSET\\n"\n'
    '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n'
)
LONG = "A sentence long enough to be wrapped by any writer, with well-known words/paths and more words."

CASES = {
    "1 xgettext template placeholders": (
        HEADER + 'msgid "One file"\nmsgid_plural "%d files"\nmsgstr[0] "Un"\nmsgstr[1] "%d"\n',
        XGETTEXT_POT + 'msgid "One file"\nmsgid_plural "%d files"\nmsgstr[0] ""\nmsgstr[1] ""\n',
    ),
    "2 obsolete exact match comes back translated": (
        HEADER + '#~ msgid "Comes back"\n#~ msgstr "Revient"\n',
        HEADER + 'msgid "Comes back"\nmsgstr ""\n',
    ),
    "3 a shared context alone pairs nothing": (
        HEADER + 'msgctxt "button"\nmsgid "Delete"\nmsgstr "Supprimer"\n',
        HEADER + 'msgctxt "button"\nmsgid "Send feedback"\nmsgstr ""\n',
    ),
    "4 comments kept verbatim": (
        HEADER + '# dup\n# dup\n#   indented\n#\n#. auto\n#. auto\nmsgid "x"\nmsgstr "y"\n',
        HEADER + '#. auto\n#. auto\n#: a.c:1 ./b.c:2\nmsgid "x"\nmsgstr ""\n',
    ),
    "5 header kept": (
        '# Header comment\n#   indented\n#: header.c:1\n#, fuzzy\nmsgid ""\nmsgstr ""\n'
        '"Project-Id-Version: foo 1.0\\n"\n"X-Generator: Poedit 3.0\\n"\n'
        '"Language-Team: French <fr@li.org>\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n"X-Poedit-Basepath: ..\\n"\n\nmsgid "x"\nmsgstr "y"\n',
        XGETTEXT_POT.replace("POT-Creation-Date: 2024", "POT-Creation-Date: not a date 2024")
        + 'msgid "x"\nmsgstr ""\n',
    ),
    "6 octal and hex escapes": (
        HEADER + 'msgid "Caf\\x41 \\101"\nmsgstr "\\303\\251t\\xc3\\xa9"\n',
        HEADER + 'msgid "CafA A"\nmsgstr ""\n',
    ),
    "7 wrapping": (
        HEADER
        + f'#, fuzzy\n#| msgid "{LONG} old"\nmsgid "{LONG}"\n'
        + f'msgstr "{LONG} 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字"\n',
        HEADER + f'msgctxt "{LONG}"\nmsgid "{LONG}"\nmsgstr ""\n',
    ),
    "8 latin-1 catalog and a UTF-8 template": (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
        'msgid "Cafe"\nmsgstr "Caf\xe9"\n',
        HEADER + 'msgid "Cafe"\nmsgstr ""\n',
    ),
    "8 empty definition file": ("", XGETTEXT_POT + 'msgid "x"\nmsgstr ""\n'),
}


def msgmerge(def_po: Path, ref_pot: Path, out: Path, *options: str) -> bytes:
    subprocess.run(
        ["msgmerge", "--previous", "-q", *options, "-o", str(out), str(def_po), str(ref_pot)], check=True
    )
    return out.read_bytes()


@pytest.mark.parametrize("name", CASES)
def test_each_problem_merges_like_msgmerge_byte_for_byte(tmp_path, name):
    old, new = CASES[name]
    def_po, ref_pot = tmp_path / "def.po", tmp_path / "ref.pot"
    def_po.write_bytes(old.encode("latin-1" if "latin-1" in name else "utf-8"))
    ref_pot.write_text(new, encoding="utf-8")
    merge_files(def_po, ref_pot, tmp_path / "ours.po")
    assert (tmp_path / "ours.po").read_bytes() == msgmerge(def_po, ref_pot, tmp_path / "theirs.po")


def test_segment_contexts_pair_a_changed_message_under_the_same_id(tmp_path):
    old, new = CASES["3 a shared context alone pairs nothing"]
    (tmp_path / "def.po").write_text(old, encoding="utf-8")
    (tmp_path / "ref.pot").write_text(new, encoding="utf-8")
    stats = merge_files(tmp_path / "def.po", tmp_path / "ref.pot", tmp_path / "out.po", segment_contexts=True)
    (message,) = read_catalog(tmp_path / "out.po")._messages.values()
    assert stats.fuzzy == 1 and message.string == "Supprimer" and message.previous_id == ["Delete"]


@pytest.mark.parametrize("width", [None, "40", "no-wrap"])
def test_width_and_no_wrap_like_msgmerge(tmp_path, width):
    old, new = CASES["7 wrapping"]
    (tmp_path / "def.po").write_text(old, encoding="utf-8")
    (tmp_path / "ref.pot").write_text(new, encoding="utf-8")
    options = {None: (), "40": ("--width=40",), "no-wrap": ("--no-wrap",)}[width]
    kwargs = {None: {}, "40": {"width": 40}, "no-wrap": {"wrap": False}}[width]
    merge_files(tmp_path / "def.po", tmp_path / "ref.pot", tmp_path / "ours.po", **kwargs)
    theirs = msgmerge(tmp_path / "def.po", tmp_path / "ref.pot", tmp_path / "theirs.po", *options)
    assert (tmp_path / "ours.po").read_bytes() == theirs


def test_crlf_and_bom_input_reads_like_lf(tmp_path):
    text = HEADER + '# note\nmsgid "x"\nmsgstr "y"\n'
    (tmp_path / "crlf.po").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    (tmp_path / "lf.po").write_text(text, encoding="utf-8")
    assert render_catalog(read_catalog(tmp_path / "crlf.po")) == render_catalog(
        read_catalog(tmp_path / "lf.po")
    )


@pytest.mark.parametrize("old", ["de-7.2.6.po", "ja-7.2.6.po"])
def test_real_catalogs_merge_exactly_like_msgmerge(tmp_path, old):
    def_po, ref_pot = SPHINX / old, SPHINX / "sphinx-8.1.3.pot"
    theirs = msgmerge(def_po, ref_pot, tmp_path / "theirs.po")
    merge_files(def_po, ref_pot, tmp_path / "ours.po")
    ours_catalog, theirs_catalog = read_catalog(tmp_path / "ours.po"), read_catalog(tmp_path / "theirs.po")

    def states(catalog):
        return (
            {k for k, m in catalog._messages.items() if m.string and not m.fuzzy},
            {k for k, m in catalog._messages.items() if m.fuzzy},
            set(catalog.obsolete),
        )

    assert states(ours_catalog) == states(theirs_catalog)
    assert all(m.previous_id for m in ours_catalog._messages.values() if m.fuzzy)
    assert (tmp_path / "ours.po").read_bytes() == theirs
    # A file msgmerge wrote reads and writes back to the same bytes (the no-change round trip).
    assert render_catalog(theirs_catalog).encode() == theirs
