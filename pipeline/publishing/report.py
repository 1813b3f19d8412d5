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


def render_report(result) -> str:
    """The Markdown report of a RefreshResult (pipeline.refresh.run)."""
    summary = result.summary()
    out: list[str] = []
    put = out.append
    verdict = (
        "FAILED" if result.status != "ok" else ("changes published" if result.changed else "nothing changed")
    )
    put(f"# Content refresh {result.started}: {verdict}")
    put("")
    put(f"- status: **{result.status}**")
    put(f"- live release: `{result.release or '-'}`")
    counts = summary["documents"]
    put(
        f"- documents: {counts['added']} added, {counts['changed']} changed, {counts['removed']} removed, "
        f"{counts['unchanged']} unchanged"
    )
    for note in result.notes:
        put(f"- note: {note}")
    if result.failures:
        put("")
        put("## Failures")
        put("")
        for what, problem in result.failures.items():
            put(f"- **{what}**: {problem}")
        put("")
        put("Failed sources keep their last good content published.")

    put("")
    put("## Sources")
    put("")
    put("| source | status | documents | added | changed | removed | snapshot |")
    put("|---|---|---:|---:|---:|---:|---|")
    for sid, outcome in result.sources.items():
        per = result.changes.sources.get(sid, {})
        put(
            f"| {sid} | {outcome.status} | {outcome.documents} | {len(per.get('added', []))} | "
            f"{len(per.get('changed', []))} | {len(per.get('removed', []))} | "
            f"{_cell(outcome.snapshot or '-')} |"
        )

    if result.changes.any:
        put("")
        put("## What changed")
        for what in ("added", "changed", "removed"):
            ids = getattr(result.changes, what)
            if ids:
                put("")
                put(f"### {what.capitalize()} ({len(ids)})")
                put("")
                for doc_id in ids:
                    put(f"- `{doc_id}`")
                    diff = result.changes.diffs.get(doc_id)
                    if diff:
                        lines = diff.splitlines()
                        shown = lines[:DIFF_LINES] + (
                            [f"... {len(lines) - DIFF_LINES} more lines"] if len(lines) > DIFF_LINES else []
                        )
                        put("")
                        put("  ```diff")
                        out.extend(f"  {line}" for line in shown)
                        put("  ```")

    locales = [o for loc, o in result.locales.items()]
    if locales:
        put("")
        put("## Messages that became drafts")
        put("")
        any_drafts = False
        for outcome in locales:
            drafts = outcome.merge.get("fuzzy_ids", [])
            new = outcome.merge.get("new_ids", [])
            machine = (outcome.mt or {}).get("translated", [])
            if drafts or machine:
                any_drafts = True
                put(
                    f"- **{outcome.locale}**: {len(drafts)} draft(s) to review"
                    + (f": {', '.join(f'`{d}`' for d in drafts[:20])}" if drafts else "")
                    + (f"; {len(machine)} machine draft(s)" if machine else "")
                    + (f"; {len(new)} new untranslated" if new else "")
                )
        if not any_drafts:
            put("No message became a draft in this run.")

        put("")
        put("## Coverage (% approved)")
        put("")
        put("| locale | all | glossary | safety | page | QA errors | QA warnings |")
        put("|---|---:|---:|---:|---:|---:|---:|")
        for outcome in locales:
            cov = outcome.coverage or {}
            by_kind = cov.get("by_kind", {})
            cells = [cov.get("percent_approved", "-")] + [
                by_kind.get(k, {}).get("percent_approved", "-") for k in ("glossary", "safety", "page")
            ]
            put(
                f"| {outcome.locale} | "
                + " | ".join(str(c) for c in cells)
                + f" | {outcome.qa.get('errors', '-')} | {outcome.qa.get('warnings', '-')} |"
            )

        put("")
        put("## Quality findings")
        put("")
        findings = [
            (o.locale, f) for o in locales for f in o.qa.get("findings", []) if f["severity"] == "error"
        ]
        if findings:
            for locale, finding in findings[:50]:
                put(f"- {locale} `{finding['segment']}` {finding['check']}: {_cell(finding['message'])}")
        else:
            put("No blocking quality finding.")

        put("")
        put("## Safety sections shown in English")
        put("")
        fallbacks = [o for o in locales if o.fallback_safety]
        if fallbacks:
            for outcome in fallbacks:
                put(
                    f"- **{outcome.locale}** ({len(outcome.fallback_safety)}): "
                    + ", ".join(f"`{d}`" for d in outcome.fallback_safety)
                )
        else:
            put("Every safety section is published translated in every locale.")

    put("")
    put("## Timings")
    put("")
    for step, seconds in result.timings.items():
        put(f"- {step}: {seconds:.2f}s" if isinstance(seconds, float) else f"- {step}: {seconds}")
    put("")
    return "\n".join(out)


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
