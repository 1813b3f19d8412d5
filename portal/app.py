"""The patient portal: search, glossary, Important Safety Information and a JSON API over the live release."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import socket
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.errors import PortalError, SearchIndexError
from portal import i18n, metrics
from portal.content import ContentStore, anchor, initial
from portal.render import render_body

if TYPE_CHECKING:
    from pipeline.config import Settings

HERE = Path(__file__).resolve().parent
MAX_QUERY_CHARS = 200
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# Search results and pages are a patient's health data: never kept by a browser or a proxy.
NO_STORE = b"no-store"
# Static files are addressed by a hash of their content (``?v=``): a new file is a new URL.
IMMUTABLE = b"public, max-age=31536000, immutable"
STATIC_UNVERSIONED = b"public, max-age=300"


class QuerylessAccessLog(logging.Filter):
    """Drops the query string from uvicorn's access log lines: a search is health data."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def quiet_access_log() -> None:
    """Install the filter on uvicorn's access logger once (after uvicorn configured logging)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QuerylessAccessLog) for f in logger.filters):
        logger.addFilter(QuerylessAccessLog())


@functools.cache
def static_url(name: str) -> str:
    """The URL of a static file with a hash of its content, so it can be cached for a year."""
    digest = hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


def _cache_control(scope: Scope) -> bytes:
    if scope["path"].startswith("/static/"):
        return IMMUTABLE if b"v=" in scope.get("query_string", b"") else STATIC_UNVERSIONED
    return NO_STORE


class Engine(Protocol):
    """What the portal needs from index.engine.SearchEngine."""

    def search(self, query: str, locale: str = "en", limit: int = 10) -> Any: ...
    def suggest(self, prefix: str, locale: str = "en", limit: int = 8) -> list[Any]: ...
    def close(self) -> None: ...


class SecurityHeaders:
    """Adds the security headers to every response, static files and errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = scope["path"]
        if path != "/" and path.endswith("/"):
            await self._redirect_without_slash(scope, receive, send_with_headers_for(scope, send))
            return
        await self.app(scope, receive, send_with_headers_for(scope, send))

    @staticmethod
    async def _redirect_without_slash(scope: Scope, receive: Receive, send: Send) -> None:
        """A relative redirect: the Host header is never echoed into Location.

        Leading slashes are collapsed so that ``//evil.example/`` cannot become a
        protocol-relative address.
        """
        target = "/" + scope["path"].strip("/")
        query = scope.get("query_string", b"").decode("latin-1")
        response = RedirectResponse(target + (f"?{query}" if query else ""), status_code=307)
        await response(scope, receive, send)


def send_with_headers_for(scope: Scope, send: Send) -> Send:
    """``send`` adding the security headers and Cache-Control to the response start."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
            if b"cache-control" not in present:
                headers.append((b"cache-control", _cache_control(scope)))
            message["headers"] = headers
        await send(message)

    return send_with_headers


def clean_query(raw: str | None) -> str:
    """A query as the engine gets it: control characters removed, whitespace collapsed, length capped."""
    text = _UNPRINTABLE.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def result_path(doc_id: str, kind: str, locale: str) -> str:
    """The portal page of a search hit."""
    if kind == "glossary":
        return f"/{locale}/glossary/{anchor(doc_id)}"
    if kind == "safety":
        return f"/{locale}/safety#{anchor(doc_id)}"
    return f"/{locale}/pages/{doc_id}"


def search_url(query: str = "", locale: str = "en") -> str:
    params = {"q": query, "locale": locale} if query else {"locale": locale}
    return "/?" + urlencode(params)


class Portal:
    """The state behind the routes: data directory, content cache, search engine and templates."""

    def __init__(
        self, data_dir: Path, engine: Engine | None = None, *, show_pseudo_locale: bool = False
    ) -> None:
        self.data_dir = Path(data_dir)
        self.show_pseudo_locale = show_pseudo_locale
        self.content = ContentStore(self.data_dir)
        self._engine = engine
        self._engine_lock = threading.Lock()
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
        )
        env.globals.update(
            search_url=search_url, result_path=result_path, render_body=render_body, static_url=static_url
        )
        self.templates = Jinja2Templates(env=env)

    def engine(self) -> Engine:
        """The search engine, opened on first use so the portal starts before anything is published."""
        with self._engine_lock:
            if self._engine is None:
                from index.engine import SearchEngine

                self._engine = SearchEngine(self.data_dir)
            return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()

    def page(
        self,
        request: Request,
        template: str,
        locale: str,
        *,
        status: int = 200,
        switch: Callable[[str], str] | None = None,
        **context: Any,
    ) -> Response:
        ui = i18n.LOCALES[locale]
        context.update(
            request=request,
            ui=ui,
            locale=locale,
            locales=self.offered_locales(),
            t=functools.partial(i18n.markup, locale),
            switch=switch or (lambda code: search_url(locale=code)),
        )
        return self.templates.TemplateResponse(request, template, context, status_code=status)

    def offered_locales(self) -> list[i18n.UILocale]:
        """The language menu: the pseudo-locale only when ``show_pseudo_locale`` is set."""
        return [ui for code, ui in i18n.LOCALES.items() if self.show_pseudo_locale or code != "en_XA"]

    async def search(self, query: str, locale: str, limit: int) -> Any:
        """A search off the event loop; a response cached for this release is answered at once."""
        engine = self.engine()
        cached = getattr(engine, "cached", None)
        hit = cached(query, locale=locale, limit=limit) if cached is not None else None
        if hit is not None:
            return hit
        return await run_in_threadpool(engine.search, query, locale=locale, limit=limit)

    def error_page(self, request: Request, locale: str, status: int) -> Response:
        titles = {404: ("not_found_title", "not_found_text"), 503: ("unavailable_title", "unavailable_text")}
        title, text = titles.get(status, ("bad_request_title", "not_found_text"))
        return self.page(request, "error.html", locale, status=status, title_key=title, text_key=text)


def _path_locale(request: Request) -> str:
    code = i18n.normalize_locale(request.path_params.get("locale"))
    if code is None or request.path_params.get("locale") != code:
        raise HTTPException(404)
    return code


def _portal(request: Request) -> Portal:
    return request.app.state.portal


async def search_page(request: Request) -> Response:
    portal = _portal(request)
    locale = i18n.normalize_locale(request.query_params.get("locale") or i18n.DEFAULT_LOCALE)
    if locale is None:
        raise HTTPException(400)
    query = clean_query(request.query_params.get("q"))
    result: dict[str, Any] | None = None
    if query:
        try:
            result = (await portal.search(query, locale, DEFAULT_LIMIT)).to_dict()
        except SearchIndexError:
            return portal.error_page(request, locale, 503)
    return portal.page(
        request,
        "search.html",
        locale,
        query=query,
        result=result,
        switch=lambda code: search_url(query, code),
    )


async def glossary_page(request: Request) -> Response:
    portal = _portal(request)
    locale = _path_locale(request)
    terms = portal.content.glossary(locale)
    if terms is None:
        return portal.error_page(request, locale, 503 if portal.content.release() is None else 404)
    groups: dict[str, list[Any]] = {}
    for doc in terms:
        groups.setdefault(initial(doc.title), []).append(doc)
    return portal.page(
        request,
        "glossary.html",
        locale,
        groups=groups,
        anchor=anchor,
        switch=lambda code: f"/{code}/glossary",
    )


async def term_page(request: Request) -> Response:
    portal = _portal(request)
    locale = _path_locale(request)
    slug = request.path_params["slug"]
    doc = portal.content.document(locale, f"glossary/{slug}")
    if doc is None or doc.kind != "glossary":
        return portal.error_page(request, locale, 404 if portal.content.release() is not None else 503)
    related = [d for d in (portal.content.document(locale, rid) for rid in doc.related) if d is not None]
    return portal.page(
        request,
        "term.html",
        locale,
        doc=doc,
        related=related,
        anchor=anchor,
        switch=lambda code: f"/{code}/glossary/{slug}",
    )


async def safety_page(request: Request) -> Response:
    portal = _portal(request)
    locale = _path_locale(request)
    page = portal.content.safety(locale)
    if page is None:
        return portal.error_page(request, locale, 503 if portal.content.release() is None else 404)
    return portal.page(request, "safety.html", locale, safety=page, switch=lambda code: f"/{code}/safety")


async def document_page(request: Request) -> Response:
    portal = _portal(request)
    locale = _path_locale(request)
    doc_id = request.path_params["doc_id"]
    doc = portal.content.document(locale, doc_id)
    if doc is None or doc.kind != "page":
        return portal.error_page(request, locale, 404 if portal.content.release() is not None else 503)
    return portal.page(
        request, "document.html", locale, doc=doc, switch=lambda code: f"/{code}/pages/{doc_id}"
    )


def _api_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _api_params(request: Request, default_limit: int) -> tuple[str, str, int] | JSONResponse:
    locale = i18n.normalize_locale(request.query_params.get("locale") or i18n.DEFAULT_LOCALE)
    if locale is None:
        return _api_error(
            400,
            f"unknown locale {request.query_params.get('locale')!r}; use one of {', '.join(i18n.LOCALES)}",
        )
    raw_limit = request.query_params.get("limit") or str(default_limit)
    try:
        limit = int(raw_limit)
    except ValueError:
        return _api_error(400, f"limit must be a whole number between 1 and {MAX_LIMIT}")
    if not 1 <= limit <= MAX_LIMIT:
        return _api_error(400, f"limit must be a whole number between 1 and {MAX_LIMIT}")
    return clean_query(request.query_params.get("q")), locale, limit


async def api_search(request: Request) -> Response:
    params = _api_params(request, DEFAULT_LIMIT)
    if isinstance(params, Response):
        return params
    query, locale, limit = params
    if not query:
        return JSONResponse(
            {"query": "", "locale": locale, "corrected": None, "total": 0, "partial": False, "results": []}
        )
    try:
        response = await _portal(request).search(query, locale, limit)
    except SearchIndexError as error:
        return _api_error(503, str(error))
    return JSONResponse(response.to_dict())


async def api_suggest(request: Request) -> Response:
    params = _api_params(request, 8)
    if isinstance(params, Response):
        return params
    query, locale, limit = params
    suggestions: list[Any] = []
    if query:
        try:
            engine = _portal(request).engine()
            suggestions = await run_in_threadpool(engine.suggest, query, locale=locale, limit=limit)
        except SearchIndexError as error:
            return _api_error(503, str(error))
    return JSONResponse(
        {
            "query": query,
            "locale": locale,
            "suggestions": [
                {
                    "id": s.id,
                    "title": s.title,
                    "url": s.url,
                    "href": result_path(s.id, _kind_of(request, locale, s.id), locale),
                }
                for s in suggestions
            ],
        }
    )


def _kind_of(request: Request, locale: str, doc_id: str) -> str:
    doc = _portal(request).content.document(locale, doc_id)
    return doc.kind if doc is not None else "page"


def live_release_name(data_dir: Path) -> str | None:
    """The name of the live release from the ``current`` link: one readlink and one stat.

    A load balancer polls this while patients search, so it must not wait on the index or read files.
    """
    link = os.path.join(data_dir, "current")
    try:
        target = os.readlink(link)
    except OSError:  # no link yet, or a plain directory standing in for one
        return os.path.basename(link) if os.path.isdir(link) else None
    return os.path.basename(target.rstrip("/")) if os.path.isdir(link) else None


async def healthz(request: Request) -> Response:
    release = live_release_name(_portal(request).data_dir)
    if release is None:
        return JSONResponse({"status": "unavailable", "release": None}, status_code=503)
    return JSONResponse({"status": "ok", "release": release})


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/api/"):
        return _api_error(status, "not found" if status == 404 else "request failed")
    first = request.url.path.strip("/").split("/", 1)[0]
    locale = i18n.normalize_locale(first) or i18n.DEFAULT_LOCALE
    return _portal(request).error_page(request, locale, status if status in (404, 405) else 400)


async def portal_error(request: Request, exc: Exception) -> Response:
    # A release that cannot be read (half-written by hand, wrong format) is an outage, not a crash.
    if request.url.path.startswith("/api/"):
        return _api_error(503, str(exc))
    return _portal(request).error_page(request, i18n.DEFAULT_LOCALE, 503)


def _lifespan(portal: Portal) -> Callable[[Starlette], Any]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        quiet_access_log()
        yield
        portal.close()

    return lifespan


def create_app(
    data_dir: Path,
    engine: Engine | None = None,
    *,
    show_pseudo_locale: bool = False,
    review: Settings | None = None,
) -> Starlette:
    """The portal app over a data directory; `engine` replaces index.engine.SearchEngine (tests).

    With ``review`` (the workspace's settings) the reviewer workspace is served under /review too.
    """
    quiet_access_log()
    portal = Portal(data_dir, engine, show_pseudo_locale=show_pseudo_locale)
    routes = [
        Route("/", search_page),
        Route("/healthz", healthz),
        Route("/api/search", api_search),
        Route("/api/suggest", api_suggest),
        Route("/{locale}/glossary", glossary_page),
        Route("/{locale}/glossary/{slug}", term_page),
        Route("/{locale}/safety", safety_page),
        Route("/{locale}/pages/{doc_id:path}", document_page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, PortalError: portal_error},
        lifespan=_lifespan(portal),
    )
    app.state.portal = portal
    if review is not None:
        from portal.review import install

        install(app, review)
    metrics.install(app, Path(data_dir))
    app.add_middleware(SecurityHeaders)
    return app


# Set by `portal serve` for its worker processes: "0" when started with --no-review.
SERVE_REVIEW_ENV = "PORTAL_SERVE_REVIEW"


def app_from_env() -> Starlette:
    """The portal app with settings from the environment (``PORTAL_*``): uvicorn's factory.

    Each uvicorn worker process imports the app by name (``portal.app:app_from_env``), so the
    settings travel in the environment that ``portal serve`` sets before starting the workers.
    """
    from pipeline.config import load_settings

    settings = load_settings()
    review = settings if os.environ.get(SERVE_REVIEW_ENV, "1") == "1" else None
    return create_app(settings.data_path, show_pseudo_locale=settings.show_pseudo_locale, review=review)


def tcp_listener(sock: socket.socket) -> socket.socket:
    """The listening socket as one that says it is TCP, so that asyncio turns off Nagle.

    uvicorn binds the socket it shares between workers without naming its protocol; connections
    accepted from it inherit that, and asyncio sets TCP_NODELAY only on sockets that say TCP. Every
    keep-alive response after the first then waited ~40 ms for the client's delayed ACK (uvicorn
    issue 3149; one process is not affected: asyncio binds that socket itself).
    """
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


def run_workers(host: str, port: int, workers: int, **options: Any) -> None:
    """Serve ``app_from_env`` from ``workers`` processes sharing one socket (``uvicorn --workers``)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "portal.app:app_from_env", factory=True, host=host, port=port, workers=workers, **options
    )
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[tcp_listener(config.bind_socket())]).run()
