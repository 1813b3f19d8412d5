"""`portal index build`, `portal search`, `portal suggest` and `portal eval`: the search index commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from pipeline.cli import options as cli
from pipeline.errors import ConfigError

index_app = typer.Typer(
    help="Build the search index of the live release.\n\nExample: portal index build --locale es",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _data_dir() -> Path:
    return cli.settings().data_path


def build_command(
    locale: list[str] | None = typer.Option(
        None, "--locale", "-l", help="Locale to build (repeatable; default: every published locale)."
    ),
    full: bool = typer.Option(
        False, "--full", help="Rebuild from scratch instead of re-indexing only changed documents."
    ),
) -> None:
    """Build or update the search indexes and switch to them atomically.

    Example: portal index build --locale en --locale es
    """
    from index.build import publish_indexes

    report = publish_indexes(_data_dir(), locale or None, full=full)
    for entry in report.locales:
        typer.echo(entry.summary())
    typer.echo(f"live release: {report.release.name if report.release else '-'}")


def search_command(
    query: str = typer.Argument(..., help="What to look for, as a patient would type it."),
    locale: str = typer.Option("en", "--locale", "-l", help="Locale to search."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=100, help="Most results to show."),
    format: cli.Format = typer.Option(cli.Format.text, "--format", "-f", help="Output format."),
) -> None:
    """Search the published documents of a locale.

    Example: portal search "low platelets" --locale en --format json
    """
    from index.engine import SearchEngine

    with SearchEngine(_data_dir()) as engine:
        response = engine.search(query, locale=locale, limit=limit)
    if format is cli.Format.json:
        typer.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
        return
    if response.corrected:
        typer.echo(f"did you mean: {response.corrected}")
    typer.echo(f"{response.total} result(s) for {query!r} in {locale}")
    for rank, hit in enumerate(response.results, 1):
        flag = " [English]" if hit.fallback else ""
        typer.echo(f"{rank:>2}. {hit.title}{flag}  ({hit.id}, {hit.score:.2f})")
        typer.echo(f"    {hit.url}")
        typer.echo(f"    {hit.snippet.replace(chr(10), ' ')}")


def suggest_command(
    prefix: str = typer.Argument(..., help="The beginning of a term."),
    locale: str = typer.Option("en", "--locale", "-l", help="Locale to complete in."),
    limit: int = typer.Option(8, "--limit", "-n", min=1, max=50, help="Most suggestions to show."),
    format: cli.Format = typer.Option(cli.Format.text, "--format", "-f", help="Output format."),
) -> None:
    """Complete a term for autocomplete.

    Example: portal suggest thromb --locale en
    """
    from index.engine import SearchEngine

    with SearchEngine(_data_dir()) as engine:
        suggestions = engine.suggest(prefix, locale=locale, limit=limit)
    if format is cli.Format.json:
        typer.echo(json.dumps([vars(s) for s in suggestions], ensure_ascii=False, indent=2))
        return
    for s in suggestions:
        typer.echo(f"{s.title}\t{s.id}\t{s.url}")


def eval_command(
    locale: list[str] | None = typer.Option(
        None,
        "--locale",
        "-l",
        help="Locale to evaluate (repeatable; default: every locale with judged queries).",
    ),
    queries: Path | None = typer.Option(
        None, "--queries", help="Directory of <locale>.toml judged queries (default: tests/relevance)."
    ),
    min_mrr: float = typer.Option(
        0.0, "--min-mrr", help="Exit with status 1 when a locale's MRR is below this."
    ),
    format: cli.Format = typer.Option(cli.Format.text, "--format", "-f", help="Output format."),
) -> None:
    """Score the search of the live release against judged queries (MRR, success@1/3, nDCG@10).

    Example: portal eval --locale en --locale es --min-mrr 0.85
    """
    from index.engine import SearchEngine
    from index.evaluation import evaluate, load_judgments

    folder = queries or cli.settings().path("relevance_dir")
    if not folder.is_dir():
        raise ConfigError(f"no judged queries: {folder} is not a directory of <locale>.toml files")
    locales = locale or sorted(p.stem for p in folder.glob("*.toml"))
    below = []
    reports = []
    with SearchEngine(_data_dir()) as engine:
        for name in locales:
            report = evaluate(engine, name, load_judgments(folder / f"{name}.toml"))
            reports.append(report)
            if report.overall.mrr < min_mrr:
                below.append(name)
    if format is cli.Format.json:
        typer.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            typer.echo(f"[{report.locale}]")
            typer.echo(report.table())
            for miss in report.failures():
                typer.echo(
                    f"  miss: {miss.judgment.q!r} ({miss.judgment.category}) -> "
                    f"{', '.join(miss.ranked[:3]) or 'nothing'}"
                )
    if below:
        typer.echo(f"MRR below {min_mrr} in: {', '.join(below)}", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    index_app.command("build")(cli.clean_errors(build_command))
    app.add_typer(index_app, name="index")
    app.command("search")(cli.clean_errors(search_command))
    app.command("suggest")(cli.clean_errors(suggest_command))
    app.command("eval")(cli.clean_errors(eval_command))
