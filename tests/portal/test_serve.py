"""`portal serve`: help, defaults from settings, and a clean one-line error for a busy port."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from pipeline import cli
from pipeline.cli import serve as serve_command

runner = CliRunner()


def test_help_has_an_example() -> None:
    result = runner.invoke(cli.app, ["serve", "--help"])
    assert result.exit_code == 0
    assert (
        "Example: portal serve" in result.output and "--port" in result.output and "--host" in result.output
    )


def test_busy_port_is_a_one_line_error(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli.app, ["--data-dir", str(tmp_path), "serve", "--port", str(port)])
    assert result.exit_code == 2  # refused before any work
    assert f"127.0.0.1:{port} is already in use" in result.output
    assert "Traceback" not in result.output


def test_serve_uses_settings_and_prints_the_url(tmp_path, monkeypatch) -> None:
    calls = {}

    def fake_run(app, **kwargs):
        calls.update(kwargs, app=app)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    monkeypatch.setenv("PORTAL_PORTAL_PORT", str(free))
    result = runner.invoke(cli.app, ["--data-dir", str(tmp_path), "serve", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"http://127.0.0.1:{free}/" in result.output
    assert calls["host"] == "127.0.0.1" and calls["port"] == free
    assert "nothing is published yet" in result.output
    assert calls["app"].state.portal.data_dir == tmp_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_workers_run_the_app_factory_with_settings_in_the_environment(tmp_path, monkeypatch) -> None:
    calls = {}
    import uvicorn

    import portal.app

    def fake_workers(host, port, workers, **kwargs):
        calls.update(kwargs, host=host, port=port, workers=workers)

    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(kwargs, app=app))
    monkeypatch.setattr(portal.app, "run_workers", fake_workers)
    monkeypatch.setenv("PORTAL_SHOW_PSEUDO_LOCALE", "true")
    # serve writes these for its workers: set here so that monkeypatch restores them afterwards
    monkeypatch.setenv("PORTAL_DATA_DIR", "unused")
    port = _free_port()
    args = ["--data-dir", str(tmp_path), "serve", "--port", str(port), "--workers", "3"]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "app" not in calls  # not the one-process path
    assert calls["workers"] == 3 and calls["port"] == port
    from portal.app import app_from_env

    built = app_from_env()  # what each worker process does, from the environment serve set
    assert built.state.portal.data_dir == tmp_path.resolve()
    assert built.state.portal.show_pseudo_locale is True


def test_workers_default_to_the_number_of_cores(tmp_path, monkeypatch) -> None:
    calls = {}
    import uvicorn

    import portal.app

    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(kwargs, app=app))
    monkeypatch.setattr(
        portal.app, "run_workers", lambda host, port, workers, **kw: calls.update(workers=workers)
    )
    monkeypatch.setattr(serve_command.os, "cpu_count", lambda: 4)
    monkeypatch.setenv("PORTAL_SHOW_PSEUDO_LOCALE", "false")
    # serve writes these for its workers: set here so that monkeypatch restores them afterwards
    monkeypatch.setenv("PORTAL_DATA_DIR", "unused")
    args = ["--data-dir", str(tmp_path), "serve", "--port", str(_free_port())]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert calls["workers"] == 4


def test_register_adds_the_command() -> None:
    import typer

    app = typer.Typer()
    serve_command.register(app)
    assert [command.name for command in app.registered_commands] == ["serve"]


def test_worker_socket_turns_off_nagle_on_keep_alive_connections() -> None:
    """uvicorn's shared socket left Nagle on: each keep-alive response waited ~40 ms for an ACK."""
    import asyncio

    from portal.app import tcp_listener

    async def accepted_nodelay() -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # as uvicorn binds it
        listener.bind(("127.0.0.1", 0))
        fixed = tcp_listener(listener)
        assert fixed.proto == socket.IPPROTO_TCP
        seen: list[int] = []

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=fixed)
        async with server:
            _, writer = await asyncio.open_connection(*fixed.getsockname()[:2])
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()
        return seen[0]

    from concurrent.futures import ThreadPoolExecutor

    # its own thread: a browser test may have left an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, accepted_nodelay()).result(timeout=30) != 0
