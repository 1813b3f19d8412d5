"""Tests for pipeline.localization.pofile: PO reading with line-numbered errors, atomic writes, the lock."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from babel.messages.catalog import Catalog, Message
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import fs
from pipeline.errors import CatalogError, CatalogSyntaxError, LockBusyError
from pipeline.localization import pofile
from pipeline.localization.entries import Entry, Header, PoCatalog
from pipeline.localization.pofile import (
    catalog_lock,
    catalog_path,
    list_locales,
    read_catalog,
    render_catalog,
    template_path,
    write_catalog,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "po"
SAMPLE = DATA / "sample.po"
needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext not installed")


def fields(message: Message) -> tuple:
    return (
        message.context,
        message.id,
        message.string,
        sorted(message.flags),
        message.previous_id,
        getattr(message, "previous_context", None),
        message.user_comments,
        message.auto_comments,
        message.locations,
    )


def everything(catalog: Catalog) -> list[tuple]:
    return [fields(m) for m in catalog._messages.values()] + [
        ("obsolete", *fields(m)) for m in catalog.obsolete.values()
    ]


def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)


# -- reading -------------------------------------------------------------------------------------


def test_reads_drafts_previous_ids_obsolete_entries_and_comments():
    catalog = read_catalog(SAMPLE)
    assert str(catalog.locale) == "fr"
    assert catalog.last_translator == "Ana Martin <ana@example.org>"
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"
    anemia = catalog.get(
        "A condition in which you have fewer <1>red blood cells</1> than normal.",
        "glossary/anemia#definition",
    )
    assert anemia.user_comments == ["Reviewed by Dr. Roux"]
    assert anemia.auto_comments == ["glossary/anemia#definition"]
    assert anemia.locations == [("source_docs/glossary.html", None)]
    assert anemia.lineno == 22
    dose = catalog.get(
        "Take POMALYST 4 mg once a day for 21 days of each 28-day cycle.",
        "isi/how-should-i-take-pomalyst#item-3",
    )
    assert dose.fuzzy
    assert dose.previous_id == ["Take POMALYST 3 mg once a day for 21 days of each 28-day cycle."]
    (retired,) = catalog.obsolete.values()
    assert retired.context == "glossary/fatigue#definition"
    assert retired.string == "Sensation de grande fatigue."
    assert retired.previous_id == ["Tiredness"] and retired.fuzzy


def test_multiline_strings_and_escapes_are_joined():
    catalog = read_catalog(SAMPLE)
    warning = next(m for m in catalog if m.context == "isi/boxed-warning#item-1")
    assert warning.id.endswith('if you become pregnant.\n50% of patients had "low" counts.')
    # Babel would guess python-format from "50% of"; the file has no such flag, so neither do we.
    assert warning.flags == set()


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("unterminated_string.po", 6, "unterminated"),
        ("truncated.po", 7, "unterminated"),
        ("non_utf8.po", 7, "invalid utf-8 byte"),
        ("duplicate_entry.po", 14, "duplicate message definition (first defined on line 6)"),
        ("unknown_keyword.po", 7, "unknown keyword 'msgtsr'"),
        ("missing_msgstr.po", 6, "msgid without msgstr"),
        ("stray_continuation.po", 6, "continuation line"),
    ],
)
def test_syntax_errors_name_file_and_line_in_one_line(name, line, words):
    path = DATA / name
    with pytest.raises(CatalogSyntaxError) as caught:
        read_catalog(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: PO syntax error: ")
    assert words in message
    assert "\n" not in message
    assert caught.value.line == line and caught.value.file == str(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('msgid "a"\nmsgstr "b"\n"tail\\q"\n', 3),  # unknown escape
        ('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 3),
        ('msgid "a"\nmsgstr "b"\nmsgid_plural "as"\n', 3),  # was a ValueError from max()
        ('msgid "a"\nmsgstr[0] "b"\n', 2),
        ('msgctxt "x"\n\nmsgctxt "y"\nmsgid "a"\nmsgstr ""\n', 3),
        ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', 3),
        ('msgid "a"\n#~ msgstr "b"\n', 2),
        ('msgid "a"\nmsgstr "b"\n\nmsgid ""\nmsgstr "Language: fr\\n"\n', 4),
        ("msgid a\nmsgstr b\n", 1),
    ],
)
def test_malformed_input_never_escapes_as_a_traceback(tmp_path, text, line):
    path = tmp_path / "bad.po"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogSyntaxError) as caught:
        read_catalog(path)
    assert caught.value.line == line, str(caught.value)


def test_missing_file_is_a_catalog_error_not_a_syntax_error(tmp_path):
    with pytest.raises(CatalogError) as caught:
        read_catalog(tmp_path / "nope.po")
    assert not isinstance(caught.value, CatalogSyntaxError)
    assert "nope.po" in str(caught.value)


# -- writing -------------------------------------------------------------------------------------


def test_write_then_read_gives_the_same_catalog_and_the_same_bytes(tmp_path):
    catalog = read_catalog(SAMPLE)
    out = tmp_path / "fr.po"
    write_catalog(catalog, out)
    again = read_catalog(out)
    assert everything(again) == everything(catalog)
    assert again.mime_headers == catalog.mime_headers
    write_catalog(again, tmp_path / "again.po")
    assert (tmp_path / "again.po").read_bytes() == out.read_bytes()


def test_writing_text_already_rendered_gives_the_same_bytes(tmp_path):
    catalog = read_catalog(SAMPLE)
    write_catalog(catalog, tmp_path / "rendered.po")
    write_catalog(catalog, tmp_path / "given.po", text=render_catalog(catalog))
    assert (tmp_path / "given.po").read_bytes() == (tmp_path / "rendered.po").read_bytes()


@needs_msgfmt
def test_written_files_pass_msgfmt_check(tmp_path):
    catalog = read_catalog(SAMPLE)
    long_previous = (
        'Take 3 mg once daily with water, at about the same time each day, for "21" days of each cycle.'
    )
    catalog.add(
        "Take 4 mg once daily.",
        "Prenez 4 mg.",
        flags=["fuzzy"],
        previous_id=long_previous,
        context="isi/x#item-9",
    )
    write_catalog(catalog, tmp_path / "fr.po")
    write_catalog(catalog, tmp_path / "portal.pot", template=True)
    for name in ("fr.po", "portal.pot"):
        result = msgfmt_check(tmp_path / name)
        assert result.returncode == 0, result.stderr
    assert read_catalog(tmp_path / "fr.po").get("Take 4 mg once daily.", "isi/x#item-9").previous_id == [
        long_previous
    ]


def test_a_template_has_no_translations_drafts_or_obsolete_entries(tmp_path):
    write_catalog(read_catalog(SAMPLE), tmp_path / "portal.pot", template=True)
    template = read_catalog(tmp_path / "portal.pot")
    assert all(not m.string and not m.fuzzy and not m.previous_id for m in template._messages.values())
    assert not template.obsolete and len(template) == 4


def test_polib_reads_back_what_we_wrote(tmp_path):
    catalog = read_catalog(SAMPLE)
    write_catalog(catalog, tmp_path / "fr.po")
    po = polib.pofile(str(tmp_path / "fr.po"))
    assert po.metadata["Language"] == "fr"
    ours = {(m.context, m.id): m for m in (*catalog._messages.values(), *catalog.obsolete.values())}
    assert len(po) == len(ours)
    assert any(e.previous_msgid for e in po) and po.obsolete_entries()
    for entry in po:
        message = ours[(entry.msgctxt, entry.msgid)]
        assert entry.msgstr == message.string
        assert set(entry.flags) == message.flags
        assert entry.obsolete == (message in catalog.obsolete.values())
        if not entry.obsolete:  # polib skips '#~|' lines when reading
            assert entry.previous_msgid == (message.previous_id[0] if message.previous_id else None)
        assert entry.tcomment == "\n".join(message.user_comments)
        assert entry.comment == "\n".join(message.auto_comments)


def test_translate_toolkit_reads_back_what_we_wrote(tmp_path):
    from translate.storage import pypo

    catalog = read_catalog(SAMPLE)
    write_catalog(catalog, tmp_path / "fr.po")
    store = pypo.pofile.parsefile(str(tmp_path / "fr.po"))
    units = {(u.getcontext() or None, u.source): u for u in store.units if not u.isheader()}
    ours = {(m.context, m.id): m for m in (*catalog._messages.values(), *catalog.obsolete.values())}
    assert units.keys() == ours.keys()
    for key, unit in units.items():
        message = ours[key]
        assert unit.target == message.string
        assert unit.isfuzzy() == message.fuzzy
        assert unit.isobsolete() == (message in catalog.obsolete.values())
        assert unit.getnotes("translator") == "\n".join(message.user_comments)
        if message.previous_id and not unit.isobsolete():
            assert unit.prev_source == message.previous_id[0]


safe_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85")
    | st.sampled_from('\n\t"\\'),
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(safe_text, safe_text.filter(bool), safe_text, safe_text),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
)
def test_any_text_survives_a_round_trip(tmp_path_factory, messages):
    catalog = Catalog(locale="fr")
    for context, msgid, string, comment in messages:
        catalog.add(msgid, string, context=context, user_comments=[comment.replace("\n", " ").strip()])
    out = tmp_path_factory.mktemp("rt") / "fr.po"
    write_catalog(catalog, out)
    again = read_catalog(out)
    assert [(m.context, m.id, m.string, m.user_comments) for m in again._messages.values()] == [
        (m.context, m.id, m.string, m.user_comments) for m in catalog._messages.values()
    ]


wrap_text = st.lists(
    st.sampled_from(
        ["a", "bb", "word ", " ", "\n", '"', "\\", "\t", "-", "x-y", " --", "é ", "z" * 90, "漢字", "/", "。"]
    ),
    max_size=40,
).map("".join)


@needs_msgfmt
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(wrap_text, wrap_text), min_size=1, max_size=12, unique_by=lambda t: t[0]))
def test_string_wrapping_is_exactly_gnu_gettexts(tmp_path_factory, pairs):
    # Wrapping changed from Babel's (76 columns) to GNU gettext's (79, Unicode break rules):
    # msgcat writes with msgmerge's writer, so its output is the reference.
    catalog = PoCatalog(locale="fr")
    catalog.use_header(Header("Content-Type: text/plain; charset=UTF-8\n"))
    for number, (msgid, string) in enumerate(pairs):
        message = Entry(msgid or f"id {number}", string, previous_id=[string or "p"])
        message.flags.add("fuzzy")
        catalog._messages[msgid or f"id {number}"] = message
    path = tmp_path_factory.mktemp("wrap") / "fr.po"
    write_catalog(catalog, path)
    for width in ("79", "40"):
        gnu = subprocess.run(
            ["msgcat", f"--width={width}", str(path)], capture_output=True, check=True
        ).stdout
        assert render_catalog(read_catalog(path), width=int(width)).encode() == gnu


def test_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "fr.po"
    out.write_text("the old catalog", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fs.os, "replace", broken_replace)
    with pytest.raises(CatalogError, match="No space left on device"):
        write_catalog(read_catalog(SAMPLE), out)
    assert out.read_text(encoding="utf-8") == "the old catalog"
    assert [p.name for p in tmp_path.iterdir()] == ["fr.po"]


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "fr.po"
    out.write_text("the old catalog", encoding="utf-8")
    monkeypatch.setattr(fs.os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_catalog(read_catalog(SAMPLE), out)
    assert out.read_text(encoding="utf-8") == "the old catalog"
    assert [p.name for p in tmp_path.iterdir()] == ["fr.po"]


def test_write_creates_the_gettext_layout_and_keeps_the_file_mode(tmp_path):
    out = catalog_path(tmp_path, "fr")
    write_catalog(read_catalog(SAMPLE), out)
    os.chmod(out, 0o640)
    write_catalog(read_catalog(SAMPLE), out)
    assert out.stat().st_mode & 0o777 == 0o640


def test_render_keeps_catalog_order():
    catalog = Catalog(locale="fr")
    for context in ("z#1", "a#1", "m#1"):
        catalog.add("Text " + context, context=context)
    text = render_catalog(catalog)
    assert text.index('"z#1"') < text.index('"a#1"') < text.index('"m#1"')


# -- paths and lock ------------------------------------------------------------------------------


def test_paths_and_locales(tmp_path):
    assert template_path(tmp_path) == tmp_path / "portal.pot"
    assert catalog_path(tmp_path, "fr") == tmp_path / "fr" / "LC_MESSAGES" / "portal.po"
    for locale in ("fr", "es"):
        write_catalog(Catalog(locale=locale), catalog_path(tmp_path, locale))
    (tmp_path / "de").mkdir()  # no catalog yet
    assert list_locales(tmp_path) == ["es", "fr"]
    assert list_locales(tmp_path / "missing") == []


def test_a_second_update_is_refused_with_the_holder_named(tmp_path):
    with catalog_lock(tmp_path, "catalog update") as lock:
        with pytest.raises(LockBusyError) as caught, catalog_lock(tmp_path, "catalog update"):
            pass  # pragma: no cover
        assert f"held by pid {os.getpid()}" in str(caught.value)
        assert str(lock) in str(caught.value)
        assert "another catalog update is running" in str(caught.value)
    with catalog_lock(tmp_path):  # released: free again
        pass


def test_the_lock_is_held_against_another_process(tmp_path):
    script = (
        "import sys\nfrom pipeline.localization.pofile import catalog_lock\nfrom pipeline.errors "
        "import LockBusyError\n"
        "try:\n    with catalog_lock(sys.argv[1]): print('got it')\nexcept LockBusyError as e: print(e)\n"
    )
    with catalog_lock(tmp_path / "fr.po"):
        result = subprocess.run(
            [os.sys.executable, "-c", script, str(tmp_path / "fr.po")],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[3],
        )
    assert "another catalog update is running" in result.stdout, result.stderr


def test_catalogs_render_the_same_from_concurrent_threads():
    """Regression: refresh writes several locales' catalogs at once; line breaking shared a buffer."""
    from concurrent.futures import ThreadPoolExecutor

    catalog = Catalog(locale="zh_Hans")
    for number in range(40):
        text = "谢并发症。这些并发症由死亡癌细胞的分解产物引起，" * (number % 5 + 2)
        catalog.add(f"Complications {number} " * 6, string=text, context=f"isi/x#p-{number}")
    expected = render_catalog(catalog)
    with ThreadPoolExecutor(max_workers=4) as pool:
        rendered = list(pool.map(lambda _: render_catalog(catalog), range(24)))
    assert all(text == expected for text in rendered)


# Lines of PO files, valid and not: every shape the entry-at-once reading must either read as the
# line-by-line reading does or leave to it (errors included, with their line).
po_lines = st.sampled_from(
    [
        "", "", "   ", "#", "# translator", "#  indented", "#. extracted", "#.", "#: a.c:1 b.c", "#: x.c:2",
        "#, fuzzy", "#, c-format, possible-python-format", "#| msgid \"old\"", "#| msgctxt \"oc\"",
        '#| "more"', "#~ msgid \"gone\"", '#~ msgstr "parti"', "#~| msgid \"older\"", "#~", "#~ \"x\"",
        'msgctxt "ctx"', 'msgctxt "other"', 'msgid "a"', 'msgid "b"', 'msgid ""', 'msgid "a"  ',
        'msgid  "sp"', 'msgid"x"', 'msgstr "A"', 'msgstr ""', 'msgstr "B" "C"', 'msgstr "tab\\t\\101"',
        'msgstr "bad\\q"', 'msgstr "open', 'msgstr x', '"Language: fr\\n"', '"cont"', '  "lead"',
        'msgid_plural "as"', 'msgstr[0] "s0"', 'msgstr[1] "s1"', "msgtsr \"typo\"", "msgctxtx \"y\"",
        '"\u3000"\u3000', 'msgid "\\"q\\" \\\\"',
        'msgid "a"\nmsgstr "A"', 'msgid "b"\nmsgstr "B"\n',
        '#. x\n#: f.c:3\nmsgctxt "ctx"\nmsgid "a"\nmsgstr "C"',
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n',
        '#, fuzzy\n#| msgid "o"\nmsgid "c"\nmsgstr ""\n"multi "\n"line"\n',
    ]
)  # fmt: skip


def _read(text: str) -> tuple:
    try:
        catalog = pofile.parse_catalog(text.encode(), "t.po")
    except CatalogSyntaxError as error:
        return ("error", str(error))
    header = catalog.header
    return ("ok", header, everything(catalog), [m.lineno for m in (*catalog, *catalog.obsolete.values())])


@settings(max_examples=400, deadline=None)
@given(st.lists(po_lines, max_size=30), st.booleans())
def test_entries_read_at_once_read_as_line_by_line(monkeypatch_lines, final_newline):
    text = "\n".join(monkeypatch_lines) + ("\n" if final_newline else "")
    at_once = _read(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pofile, "_SIMPLE_ENTRY", re.compile(r"(?!)"))  # never matches: lines only
        assert _read(text) == at_once


def test_usual_entries_are_read_at_once(monkeypatch):
    calls = []
    monkeypatch.setattr(pofile._Parser, "line", lambda self, raw: calls.append(raw))
    catalog = read_catalog(SAMPLE)
    assert len(catalog) > 3 and calls  # the obsolete entry goes line by line
    assert not [line for line in calls if line.startswith(("msgctxt", "msgid", "msgstr"))]


def test_a_catalog_is_written_piece_by_piece_and_a_failing_piece_replaces_nothing(tmp_path, monkeypatch):
    catalog = PoCatalog(locale="fr")
    catalog.use_header(Header("Content-Type: text/plain; charset=UTF-8\n"))
    for number in range(2 * pofile.CHUNK + 5):
        catalog._messages[f"m{number}"] = Entry(f"m{number}", f"t{number}")
    assert render_catalog(catalog) == "".join(pofile.render_pieces(catalog))
    assert len(list(pofile.render_pieces(catalog))) >= 3
    out, text = tmp_path / "fr.po", render_catalog(catalog)
    write_catalog(catalog, out)
    assert out.read_text(encoding="utf-8") == text

    def broken(*args, **kwargs):
        yield "a first piece\n"
        raise MemoryError

    monkeypatch.setattr(pofile, "render_pieces", broken)
    with pytest.raises(MemoryError):
        write_catalog(catalog, out)
    assert out.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir()] == ["fr.po"]


def test_a_stateful_charset_is_encoded_once_not_once_per_piece(tmp_path):
    catalog = PoCatalog(locale="fr")
    catalog.use_header(Header("Content-Type: text/plain; charset=UTF-16\n"))
    for number in range(pofile.CHUNK + 1):
        catalog._messages[f"m{number}"] = Entry(f"m{number}", "é")
    write_catalog(catalog, tmp_path / "fr.po")
    assert (tmp_path / "fr.po").read_bytes() == render_catalog(catalog).encode("utf-16")


def test_entries_without_flags_get_a_set_when_asked_and_keep_it():
    entry = Entry("x", "y")
    assert entry.flags == set()
    entry.flags.add("fuzzy")
    assert entry.fuzzy and entry.flags == {"fuzzy"}
    entry.set_flags([])
    assert not entry.fuzzy


def test_entries_referring_to_one_file_share_its_name(tmp_path):
    path = tmp_path / "fr.po"
    path.write_text('#: a/b.html\nmsgid "x"\nmsgstr ""\n\n#: a/b.html a/b.html:3\nmsgid "y"\nmsgstr ""\n')
    x, y = read_catalog(path)._messages.values()
    assert x.locations == [("a/b.html", None)] and y.locations == [("a/b.html", None), ("a/b.html", 3)]
    assert x.locations[0] is y.locations[0] and y.locations[1][0] is x.locations[0][0]
