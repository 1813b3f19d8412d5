"""The shipped catalogs: valid gettext, and the coverage the product promises."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.extraction.extractor import extract_sources
from pipeline.extraction.sources import load_manifest
from pipeline.localization.pofile import catalog_path, read_catalog, template_path
from pipeline.localization.qa import check_catalog, errors
from pipeline.localization.stats import catalog_stats
from pipeline.localization.template import template_for
from pipeline.localization.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
SHIPPED = ["es", "zh_Hans", "ar", "en_XA"]


@pytest.fixture(scope="module")
def workspace():
    settings = load_settings(env={})
    return Workspace(LOCALES, tuple(settings.do_not_translate))


@pytest.mark.parametrize("locale", SHIPPED)
def test_msgfmt_check_passes(locale):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(catalog_path(LOCALES, locale))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_template_is_current():
    """The committed template matches what the snapshots produce (run `portal catalog update`)."""
    settings = load_settings(env={})
    sources = load_manifest(settings.sources_path)
    fresh, _ = template_for(extract_sources(sources), sources, settings)
    shipped = read_catalog(template_path(LOCALES))
    assert [(m.context, m.id) for m in shipped if m.id] == [(m.context, m.id) for m in fresh if m.id]


def test_spanish_is_complete_and_approved(workspace):
    stats = catalog_stats(workspace.catalog("es"), workspace.decisions("es"))
    assert (
        stats["percent_approved"] == 100.0
        and stats["by_kind"]["safety"]["approved"] == stats["by_kind"]["safety"]["total"]
    )


def test_chinese_glossary_approved_safety_draft(workspace):
    stats = catalog_stats(workspace.catalog("zh_Hans"), workspace.decisions("zh_Hans"))
    assert stats["by_kind"]["glossary"]["percent_approved"] == 100.0
    assert stats["by_kind"]["safety"]["approved"] == 0 and stats["by_kind"]["safety"]["draft"] > 0


def test_arabic_glossary_approved(workspace):
    stats = catalog_stats(workspace.catalog("ar"), workspace.decisions("ar"))
    assert stats["by_kind"]["glossary"]["percent_approved"] == 100.0


@pytest.mark.parametrize("locale", ["es", "zh_Hans", "ar"])
def test_no_qa_errors_in_shipped_translations(workspace, locale):
    catalog = workspace.catalog(locale)
    found = errors(check_catalog(catalog, workspace.check_context(locale, catalog), include_fuzzy=True))
    assert found == []


def test_review_log_names_maintainers(workspace):
    from pipeline.localization.review import log_path, read_log

    reviewers = {e.reviewer for e in read_log(log_path(LOCALES, "es"))}
    assert reviewers == {"maintainers", "maintainers-second-review"}  # see README: demo approvals


@pytest.mark.parametrize("locale", ["es", "zh_Hans", "ar", "en_XA"])
def test_catalog_headers_are_real(locale):
    header = catalog_path(LOCALES, locale).read_text(encoding="utf-8").split("\n\n")[0]
    assert "Project-Id-Version: portal 1.0" in header and "Plural-Forms: nplurals=" in header
    for placeholder in ("VERSION\\n", "FULL NAME", "EMAIL@ADDRESS", "YEAR-MO-DA", "Generated-By"):
        assert placeholder not in header, placeholder
