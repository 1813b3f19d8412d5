"""The run report of a refresh: Markdown for people, a JSON summary posted to an optional webhook."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from pipeline.fs import atomic_write

DIFF_LINES = 40


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_report(result: Any) -> str:
    """The Markdown report of a ``pipeline.refresh.RefreshResult``, section by section."""
    sections = [_header, _failures, _sources, _document_changes, _visible_changes]
    if result.locales:
        sections += [_drafts, _coverage, _findings, _fallbacks, _overrides]
    lines: list[str] = []
    for section in [*sections, _timings]:
        lines += section(result)
    return "\n".join(lines) + "\n"


def _header(result: Any) -> list[str]:
    verdict = {"failed": "FAILED, nothing published", "partial": "PARTIAL, some sources kept"}.get(
        result.status, "changes published" if result.changed else "nothing changed"
    )
    counts = result.changes.counts()
    lines = [
        f"# Content refresh {result.started}: {verdict}",
        "",
        f"- status: **{result.status}**",
        f"- live release: `{result.release or '-'}`",
        f"- documents: {counts['added']} added, {counts['changed']} changed, {counts['removed']} removed, "
        f"{counts['unchanged']} unchanged",
    ]
    return lines + [f"- note: {note}" for note in result.notes]


def _failures(result: Any) -> list[str]:
    if not result.failures:
        return []
    lines = ["", "## Failures", ""]
    lines += [f"- **{what}**: {problem}" for what, problem in result.failures.items()]
    if result.status == "failed":
        return [*lines, "", "Nothing was switched: patients still see the last good release."]
    return [*lines, "", "Failed sources keep their last good content published."]


def _sources(result: Any) -> list[str]:
    lines = ["", "## Sources", "", "| source | status | documents | added | changed | removed | snapshot |"]
    lines.append("|---|---|---:|---:|---:|---:|---|")
    for sid, outcome in result.sources.items():
        per = result.changes.sources.get(sid, {})
        lines.append(
            f"| {sid} | {outcome.status} | {outcome.documents} | {len(per.get('added', []))} | "
            f"{len(per.get('changed', []))} | {len(per.get('removed', []))} | "
            f"{_cell(outcome.snapshot or '-')} |"
        )
    return lines


def _document_changes(result: Any) -> list[str]:
    if not result.changes.any:
        return []
    lines = ["", "## What changed in the sources"]
    for what in ("added", "changed", "removed"):
        ids = getattr(result.changes, what)
        if ids:
            lines += ["", f"### {what.capitalize()} ({len(ids)})", ""]
            for doc_id in ids:
                lines.append(f"- `{doc_id}`")
                lines += _diff_block(result.changes.diffs.get(doc_id, ""))
    return lines


def _diff_block(diff: str) -> list[str]:
    if not diff:
        return []
    shown = diff.splitlines()
    more = [f"... {len(shown) - DIFF_LINES} more lines"] if len(shown) > DIFF_LINES else []
    return ["", "  ```diff", *(f"  {line}" for line in shown[:DIFF_LINES] + more), "  ```"]


VISIBLE = {
    "now_fallback": "now shown in English (fallback)",
    "now_translated": "now shown translated",
    "changed": "text changed",
    "added": "added",
    "removed": "removed",
}


def _visible_changes(result: Any) -> list[str]:
    """What patients see differently, per locale: translation edits, approvals, revocations, fallbacks."""
    lines = ["", "## What patients see differently", ""]
    seen = False
    for outcome in result.locales.values():
        for key, label in VISIBLE.items():
            ids = (outcome.visible or {}).get(key, [])
            if ids and not (key == "changed" and set(ids) <= set(outcome.visible.get("now_fallback", []))):
                seen = True
                lines.append(
                    f"- **{outcome.locale}** {label} ({len(ids)}): " + ", ".join(f"`{i}`" for i in ids[:30])
                )
    return lines if seen else [*lines, "Nothing a patient sees changed."]


def _drafts(result: Any) -> list[str]:
    lines = ["", "## Messages that became drafts", ""]
    for outcome in result.locales.values():
        drafts = outcome.merge.get("fuzzy_ids", [])
        new = outcome.merge.get("new_ids", [])
        machine = (outcome.mt or {}).get("translated", [])
        if drafts or machine:
            lines.append(
                f"- **{outcome.locale}**: {len(drafts)} draft(s) to review"
                + (f": {', '.join(f'`{d}`' for d in drafts[:20])}" if drafts else "")
                + (f"; {len(machine)} machine draft(s)" if machine else "")
                + (f"; {len(new)} new untranslated" if new else "")
            )
    return lines if len(lines) > 3 else [*lines, "No message became a draft in this run."]


def _coverage(result: Any) -> list[str]:
    lines = ["", "## Coverage (% approved)", ""]
    lines += [
        "| locale | all | glossary | safety | page | QA errors | QA warnings |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for outcome in result.locales.values():
        if not outcome.coverage:
            continue
        by_kind = outcome.coverage.get("by_kind", {})
        cells = [outcome.coverage.get("percent_approved", "-")]
        cells += [by_kind.get(k, {}).get("percent_approved", "-") for k in ("glossary", "safety", "page")]
        cells += [outcome.qa.get("errors", "-"), outcome.qa.get("warnings", "-")]
        lines.append(f"| {outcome.locale} | " + " | ".join(str(c) for c in cells) + " |")
    return lines


def _findings(result: Any) -> list[str]:
    lines = ["", "## Quality findings", ""]
    found = [
        (o.locale, f)
        for o in result.locales.values()
        for f in o.qa.get("findings", [])
        if f["severity"] == "error"
    ]
    for locale, finding in found[:50]:
        lines.append(f"- {locale} `{finding['segment']}` {finding['check']}: {_cell(finding['message'])}")
    return lines if found else [*lines, "No blocking quality finding."]


def _fallbacks(result: Any) -> list[str]:
    lines = ["", "## Safety sections shown in English", ""]
    for outcome in result.locales.values():
        if outcome.fallback_safety:
            ids = ", ".join(f"`{d}`" for d in outcome.fallback_safety)
            lines.append(f"- **{outcome.locale}** ({len(outcome.fallback_safety)}): {ids}")
    return (
        lines if len(lines) > 3 else [*lines, "Every safety section is published translated in every locale."]
    )


def _overrides(result: Any) -> list[str]:
    """Every approval given despite a QA error, with who and why: reviewers answer for these."""
    rows = [(o.locale, entry) for o in result.locales.values() for entry in o.overrides]
    if not rows:
        return []
    lines = ["", "## Approvals that overrode a QA error", ""]
    for locale, entry in rows:
        lines.append(
            f"- {locale} `{entry['segment']}` by {entry['reviewer']} ({entry['time']}): "
            f"{_cell(entry['reason'])}"
        )
    return lines


def _timings(result: Any) -> list[str]:
    lines = ["", "## Timings", ""]
    for step, seconds in result.timings.items():
        lines.append(f"- {step}: {seconds:.2f}s" if isinstance(seconds, float) else f"- {step}: {seconds}")
    return lines


def save_report(folder: Path, markdown: str, when: datetime | None = None) -> Path:
    """Write ``<folder>/<timestamp>.md`` atomically (never overwriting an earlier report)."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(folder)
    path = folder / f"{stamp}.md"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stamp}-{number}.md"
    atomic_write(path, markdown.encode("utf-8"))
    return path


def post_webhook(
    url: str, summary: dict[str, Any], *, timeout: float = 10.0, client: httpx.Client | None = None
) -> str:
    """POST the JSON summary; returns "" on success, else a one-line problem (never raises)."""
    try:
        if client is not None:
            response = client.post(url, json=summary, timeout=timeout)
        else:
            with httpx.Client(timeout=timeout) as own:
                response = own.post(url, json=summary)
    except httpx.HTTPError as exc:
        return f"webhook {url} failed: {exc.__class__.__name__}: {exc}"
    if response.status_code >= 400:
        return f"webhook {url} answered HTTP {response.status_code}"
    return ""
