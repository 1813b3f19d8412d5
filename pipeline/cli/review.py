"""`portal review ...`: list messages by state, approve and reject translations."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from pipeline.cli import options as cli

group = typer.Typer(
    help="Human review of translations, recorded in locales/<locale>/review-log.jsonl.\n\n"
    "Example: portal review list --locale es --state draft",
    no_args_is_help=True,
)


class ReviewState(StrEnum):
    untranslated = "untranslated"
    draft = "draft"
    translated = "translated"
    approved = "approved"


class Kind(StrEnum):
    glossary = "glossary"
    safety = "safety"
    page = "page"


@group.command("list")
@cli.clean_errors
def list_(
    locale: str = typer.Option(..., "--locale", "-l", help="Locale to review."),
    state: list[ReviewState] | None = typer.Option(None, "--state", help="Only these states."),
    kind: list[Kind] | None = typer.Option(None, "--kind", help="Only these content kinds."),
    fmt: cli.Format = typer.Option(cli.Format.text, "--format", help="Output format."),
) -> None:
    """List messages with their review state.

    Example: portal review list --locale es --state translated --kind safety
    """
    from pipeline.localization.review import review_rows

    workspace = cli.workspace()[1]
    rows = review_rows(
        workspace.catalog(locale),
        workspace.decisions(locale),
        states=[s.value for s in state or []],
        kinds=[k.value for k in kind or []],
    )
    if fmt is cli.Format.json:
        typer.echo(
            json.dumps(
                {"locale": locale, "messages": [r.to_dict() for r in rows]}, ensure_ascii=False, indent=1
            )
        )
        return
    for row in rows:
        typer.echo(f"{row.state:<12} {row.kind:<8} {row.segment}")
    typer.echo(f"{len(rows)} message(s)")


@group.command("approve")
@cli.clean_errors
def approve(
    segments: list[str] | None = typer.Argument(None, metavar="[SEGMENT_ID]...", help="Segments to approve."),
    locale: str = typer.Option(..., "--locale", "-l", help="Locale of the catalog."),
    reviewer: str = typer.Option(..., "--reviewer", help="Who approves (recorded in the review log)."),
    all_translated: bool = typer.Option(
        False, "--all-translated", help="Approve every message in state 'translated'."
    ),
    override: str = typer.Option(
        "", "--override", metavar="REASON", help="Approve despite QA errors, logging the reason."
    ),
) -> None:
    """Approve translations; refused when QA finds an error unless --override REASON.

    Example: portal review approve --locale es --reviewer ana glossary/anemia#term
    """
    entries = cli.workspace()[1].approve(
        locale, reviewer, segments or [], all_translated=all_translated, override=override
    )
    typer.echo(f"{locale}: {len(entries)} approval(s) recorded")


@group.command("reject")
@cli.clean_errors
def reject(
    segment: str = typer.Argument(..., metavar="SEGMENT_ID", help="Segment to send back to draft."),
    locale: str = typer.Option(..., "--locale", "-l", help="Locale of the catalog."),
    reviewer: str = typer.Option(..., "--reviewer", help="Who rejects (recorded in the review log)."),
    reason: str = typer.Option(..., "--reason", help="Why: shown to the translator as a comment."),
) -> None:
    """Reject a translation: it becomes a draft carrying the reason.

    Example: portal review reject --locale es --reviewer ana isi/warnings#title --reason "use 'ADVERTENCIAS'"
    """
    cli.workspace()[1].reject(locale, reviewer, segment, reason)
    typer.echo(f"{locale}: {segment} sent back to draft")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="review")
