"""Profile files and the source manifest are validated: one clear problem naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import SourceError
from pipeline.extraction.profile import ProfileError, builtin_profiles, load_profile
from pipeline.extraction.sources import load_manifest

GOOD_BLOCK = '[[block]]\ntype = "section"\nselect = "main > section"\n'


def profile_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_profiles_are_listed():
    assert {"auto", "glossary", "relapse"} <= set(builtin_profiles())


@pytest.mark.parametrize(
    "text, expected",
    [
        (GOOD_BLOCK + "selct = 'x'\n", "key 'block[1].selct': unknown key"),
        (GOOD_BLOCK + "required = 'yes'\n", "key 'block[1].required'"),
        ('[[block]]\ntype = "table"\nselect = "x"\n', "unknown block type"),
        (
            GOOD_BLOCK + '[[block]]\ntype = "glossary"\nselect = "dl"\nterm = "dt"\ndefinition = "dd"\n',
            "key 'block[2].entries': missing",
        ),
        (GOOD_BLOCK + "[contract]\nmin_entries = -1\n", "key 'contract.min_entries'"),
        (GOOD_BLOCK + "[contract]\nphones = []\n", "key 'contract.phones': unknown key"),
        ('[[block]]\ntype = "section"\nselect = "main >> p"\n', "not a CSS selector"),
        ('[[block]]\ntype = "section"\nselect = "xpath://main[["\n', "not an XPath expression"),
        ('keep_inline = ["blink"]\n' + GOOD_BLOCK, "not inline tags: blink"),
        ("block = [\n", "not valid TOML"),
    ],
)
def test_invalid_profile_is_one_line_naming_file_and_key(tmp_path, text, expected):
    with pytest.raises(ProfileError) as caught:
        load_profile(profile_file(tmp_path, text))
    message = str(caught.value)
    assert expected in message and "site.toml" in message and "\n" not in message


def manifest(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(body, encoding="utf-8")
    return path


ENTRY = 'url = "https://example.org/"\nsnapshot = "x.html"\nprofile = "auto"\n'


@pytest.mark.parametrize(
    "body, expected",
    [
        ('[[source]]\nid = "../../x"\n' + ENTRY, "is not a slug"),
        (
            '[[source]]\nid = "x"\nurl = "file:///etc/passwd"\nsnapshot = "x.html"\nprofile = "auto"\n',
            "not an http(s) URL",
        ),
        ('[[source]]\nid = "x"\ncolour = "red"\n' + ENTRY, "unknown key 'colour'"),
        ('[[source]]\nid = "x"\nkind = "blog"\n' + ENTRY, "kind"),
        ('[[source]]\nid = "x"\nurl = "https://example.org/"\nsnapshot = "x.html"\n', "lacks profile"),
        (
            '[[source]]\nid = "x"\n' + ENTRY.replace('"auto"', '"missing.toml"'),
            "profile file 'missing.toml' not found",
        ),
        ("title = 'x'\n", "unknown top-level key(s) title"),
    ],
)
def test_invalid_manifest_is_refused(tmp_path, body, expected):
    with pytest.raises(SourceError) as caught:
        load_manifest(manifest(tmp_path, body))
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_manifest_that_is_a_directory(tmp_path):
    with pytest.raises(SourceError, match="manifest path is a directory"):
        load_manifest(tmp_path)


def test_workspace_profile_wins_over_builtin_and_paths_resolve_against_the_manifest(tmp_path):
    (tmp_path / "portal.toml").write_text("", encoding="utf-8")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "glossary.toml").write_text(GOOD_BLOCK, encoding="utf-8")
    docs = tmp_path / "source_docs"
    docs.mkdir()
    (docs / "mine.toml").write_text(GOOD_BLOCK, encoding="utf-8")
    path = manifest(
        docs,
        '[[source]]\nid = "a"\n'
        + ENTRY.replace('"auto"', '"glossary"')
        + '[[source]]\nid = "b"\n'
        + ENTRY.replace('"auto"', '"mine.toml"'),
    )
    a, b = load_manifest(path)
    assert a.profile_file == tmp_path / "profiles" / "glossary.toml"
    assert b.profile_file == docs / "mine.toml"
