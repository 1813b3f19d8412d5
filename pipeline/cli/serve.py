"""`portal serve`: run the patient portal over the live release with uvicorn."""

from __future__ import annotations

import errno
import os
import socket

import typer

from pipeline.cli import options as cli
from pipeline.errors import ConfigError


def _check_free(host: str, port: int) -> None:
    """Fail with one line before uvicorn starts if the address cannot be bound (uvicorn logs a
    traceback-ish exit)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror as exc:  # the address itself is wrong, not the port
            raise ConfigError(
                f"cannot listen on {host!r} ({exc.strerror}); give an IP address or host name with --host",
                setting="portal_host",
            ) from None
        except OSError as exc:
            reason = (
                "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            )
            raise ConfigError(
                f"{host}:{port} {reason}; choose another with --port", setting="portal_port"
            ) from None


def serve(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default: setting portal_host, 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port to listen on (default: setting portal_port, 8000)."
    ),
    no_review: bool = typer.Option(
        False, "--no-review", help="Serve only the patient pages (a public host): /review answers 404."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, max=64, help="Server processes (default: the number of CPU cores)."
    ),
) -> None:
    """Serve the patient portal (search, glossary, safety information, JSON API) over the live release,
    and the reviewer workspace under /review unless --no-review.

    Example: portal serve --host 127.0.0.1 --port 8000 --workers 2
    """
    import uvicorn

    from pipeline.publishing.releases import current_release
    from portal.app import SERVE_REVIEW_ENV, create_app, run_workers

    settings = cli.settings()
    host = host or settings.portal_host
    port = port or settings.portal_port
    data_dir = settings.data_path
    _check_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Serving the portal on http://{shown}:{port}/ (data: {data_dir}); press Ctrl+C to stop.")
    if current_release(data_dir) is None:
        typer.echo(
            "note: nothing is published yet; pages and /healthz answer 503 until a release is live.", err=True
        )
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        review = None if no_review else settings
        app = create_app(data_dir, show_pseudo_locale=settings.show_pseudo_locale, review=review)
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
        return
    # searches are CPU-bound Python: one process per core, each building its app from the environment
    os.environ["PORTAL_WORKSPACE"] = str(settings.root)
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["PORTAL_SHOW_PSEUDO_LOCALE"] = "true" if settings.show_pseudo_locale else "false"
    os.environ[SERVE_REVIEW_ENV] = "0" if no_review else "1"
    run_workers(host, port, workers, log_level="info", server_header=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(cli.clean_errors(serve))
