"""`portal review ...`: list messages by state, approve and reject translations."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

from pipeline.cli import options as cli

group = cli.command_group(
    "Human review of translations, recorded in locales/<locale>/review-log.jsonl.\n\n"
    "Example: portal review list --locale es --state draft"
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
    fmt: cli.Format = cli.format_option(),
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


AS_HELP = "Your account (from `portal user add`); its password is asked for, or read with --password-stdin."
REVIEWER_GONE = "--reviewer was replaced by --as NAME: approvals are made by an authenticated account"


def _no_free_text_reviewer(value: str | None) -> None:
    if value is not None:
        raise typer.BadParameter(REVIEWER_GONE)


@group.command("approve")
@cli.clean_errors
def approve(
    segments: list[str] | None = typer.Argument(None, metavar="[SEGMENT_ID]...", help="Segments to approve."),
    locale: str = typer.Option(..., "--locale", "-l", help="Locale of the catalog."),
    as_: str = typer.Option(..., "--as", metavar="NAME", help=AS_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    all_translated: bool = typer.Option(
        False, "--all-translated", help="Approve every translated message except safety text."
    ),
    override: str = typer.Option(
        "",
        "--override",
        metavar="REASON",
        help="Approve despite QA errors; the reason (10+ characters) is logged.",
    ),
    reviewer: str | None = typer.Option(
        None, "--reviewer", hidden=True, callback=_no_free_text_reviewer, is_eager=True
    ),
) -> None:
    """Approve translations as your account; refused on a QA error unless --override REASON.

    Safety text needs approvals from two different accounts (see approvals_required).

    Example: portal review approve --locale es --as ana glossary/anemia#term
    """
    account = cli.account(as_, password_stdin)
    entries = cli.workspace()[1].approve(
        locale, account, segments or [], all_translated=all_translated, override=override
    )
    typer.echo(f"{locale}: {len(entries)} approval(s) recorded by {account.name}")


@group.command("reject")
@cli.clean_errors
def reject(
    segment: str = typer.Argument(..., metavar="SEGMENT_ID", help="Segment to send back to draft."),
    locale: str = typer.Option(..., "--locale", "-l", help="Locale of the catalog."),
    as_: str = typer.Option(..., "--as", metavar="NAME", help=AS_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    reason: str = typer.Option(..., "--reason", help="Why: shown to the translator as a comment."),
    reviewer: str | None = typer.Option(
        None, "--reviewer", hidden=True, callback=_no_free_text_reviewer, is_eager=True
    ),
) -> None:
    """Reject a translation: it becomes a draft carrying the reason, and earlier approvals stop counting.

    Example: portal review reject --locale es --as ana isi/warnings#title --reason "use 'ADVERTENCIAS'"
    """
    account = cli.account(as_, password_stdin)
    cli.workspace()[1].reject(locale, account, segment, reason)
    typer.echo(f"{locale}: {segment} sent back to draft")


@group.command("verify")
@cli.clean_errors
def verify(
    locale: list[str] | None = typer.Option(None, "--locale", "-l", help="Locales to check (default: all)."),
    fmt: cli.Format = cli.format_option(),
) -> None:
    """Check every review log: the chain of lines and every signature; name the first bad line.

    Exits 1 when a log fails; publishing ignores nothing silently: a refresh refuses such a locale.

    Example: portal review verify --locale es
    """
    from pipeline.errors import ReviewLogError
    from pipeline.localization.review import log_path, read_log

    workspace = cli.workspace()[1]
    report: dict[str, dict[str, object]] = {}
    for name in locale or workspace.locales():
        try:
            entries = read_log(log_path(workspace.root, name))
            report[name] = {"ok": True, "entries": len(entries), "keys": sorted({e.key for e in entries})}
        except ReviewLogError as error:
            report[name] = {"ok": False, "error": str(error), "file": error.file, "line": error.line}
    if fmt is cli.Format.json:
        typer.echo(json.dumps(report, indent=1))
    else:
        for name, row in report.items():
            typer.echo(
                f"{name}: {'ok, ' + str(row['entries']) + ' signed entries' if row['ok'] else row['error']}"
            )
    if not all(row["ok"] for row in report.values()):
        raise typer.Exit(1)


@group.command("rotate-key")
@cli.clean_errors
def rotate_key() -> None:
    """Make a new signing key; the old public key stays committed, so old approvals still verify.

    Commit the new file under locales/keys/ afterwards.

    Example: portal review rotate-key
    """
    from pipeline.localization.review import keyring_for
    from pipeline.localization.signing import Signer

    workspace = cli.workspace()[1]
    if workspace.key_file is None:
        raise typer.BadParameter("no data directory for the signing key")
    signer = Signer.create(workspace.key_file)
    keyring_for(workspace.root).add(signer.private.public_key())
    typer.echo(f"new signing key {signer.key_id}: commit locales/keys/{signer.key_id}.pub")


@group.command("revoke-key")
@cli.clean_errors
def revoke_key(key_id: str = typer.Argument(..., metavar="KEY_ID", help="The key to revoke.")) -> None:
    """Revoke a leaked signing key: approvals it signed stop counting and must be given again.

    Example: portal review revoke-key aa13b2ca1131226e
    """
    from pipeline.localization.review import keyring_for

    moved = keyring_for(cli.workspace()[1].root).revoke(key_id)
    typer.echo(f"revoked {key_id} (now {moved}); rotate the key and ask reviewers to approve again")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="review")
