"""The reviewer workspace under /review: sign-in, dashboard, queue and the message page with its actions.

Every page needs a signed-in account; every form carries the session's CSRF token (403 without it);
approvals and rejections go only through ``Workspace.approve`` / ``Workspace.reject`` (signed log,
four eyes). Forms work without JavaScript: they post, then redirect (303) to a page that says what
happened in a ``role="status"`` region.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from pipeline.errors import AccountError, PortalError
from pipeline.localization.accounts import Account, AccountStore, accounts_path
from pipeline.localization.pseudo import PSEUDO_LOCALES
from pipeline.localization.stats import KINDS
from pipeline.localization.workspace import Workspace
from portal.review import views
from portal.review.actions import Outcome, perform
from portal.review.sessions import COOKIE, Session, SessionSigner

if TYPE_CHECKING:
    from pipeline.config import Settings

__all__ = ["Reviewer", "review_routes"]

HERE = Path(__file__).resolve().parent.parent
MAX_FORM_BYTES = 256 * 1024
LOG = logging.getLogger("portal.review")
DONE = {
    "saved": "Translation saved; it now waits for review.",
    "approved": "Approval recorded in the signed review log.",
    "rejected": "Translation rejected and sent back to draft.",
    "signed_out": "You are signed out.",
    "expired": "Your session ended after 30 minutes without activity; please sign in again.",
}


def segment_url(locale: str, segment: str) -> str:
    return f"/review/{locale}/{quote(segment, safe='/')}"


def queue_url(locale: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in ("", None, 1)}
    return f"/review/{locale}" + (f"?{urlencode(kept)}" if kept else "")


class Reviewer:
    """The state behind the review routes: settings, workspace, accounts, sessions and templates."""

    def __init__(self, settings: Settings) -> None:
        from portal.app import static_url

        self.settings = settings
        self.data_dir = settings.data_path
        self.workspace = Workspace.from_settings(settings)
        self.accounts = AccountStore(accounts_path(settings.data_path))
        self.sessions = SessionSigner(settings.data_path)
        self.write_lock = threading.Lock()  # one web write at a time; the file lock guards the CLI
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
        )
        env.globals.update(
            static_url=static_url, segment_url=segment_url, queue_url=queue_url, language=views.language
        )
        self.templates = Jinja2Templates(env=env)

    def locales(self) -> list[str]:
        return [loc for loc in self.workspace.locales() if loc not in PSEUDO_LOCALES]

    def render(
        self, request: Request, template: str, session: Session, *, status: int = 200, **context: Any
    ) -> Response:
        context.update(request=request, session=session, done=DONE.get(request.query_params.get("done", "")))
        response = self.templates.TemplateResponse(request, f"review/{template}", context, status_code=status)
        return self.with_cookie(request, response, session)

    def with_cookie(self, request: Request, response: Response, session: Session) -> Response:
        response.set_cookie(
            COOKIE,
            self.sessions.dumps(session.touched()),
            path="/review",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    def problem(
        self, request: Request, session: Session, status: int, text: str, account: Account | None = None
    ) -> Response:
        return self.render(request, "error.html", session, status=status, text=text, account=account)


def _reviewer(request: Request) -> Reviewer:
    reviewer: Reviewer = request.app.state.reviewer
    return reviewer


def _session(request: Request) -> tuple[Session, bool]:
    """The request's session (a fresh anonymous one when none), and whether an old one had expired."""
    cookie = request.cookies.get(COOKIE)
    session = _reviewer(request).sessions.loads(cookie)
    return (session, False) if session is not None else (Session.anonymous(), bool(cookie))


def _signed_in(request: Request) -> tuple[Session, Account] | Response:
    reviewer = _reviewer(request)
    session, expired = _session(request)
    account = None
    if session.user is not None:
        try:
            account = reviewer.accounts.get(session.user)
        except AccountError:
            account = None
    if account is None or account.disabled:
        target = "/review/login?" + urlencode({"next": _safe_next(request.url.path)})
        if expired:
            target += "&done=expired"
        return RedirectResponse(target, status_code=303)
    return session, account


def signed_in(
    handler: Callable[[Request, Session, Account], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that needs an account: without one, the sign-in page (then back here)."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        signed = _signed_in(request)
        if isinstance(signed, Response):
            return signed
        return await handler(request, *signed)

    return endpoint


def _safe_next(value: str | None) -> str:
    """Only a path of the review workspace: never another site (//host) or a script URL."""
    if value and value.startswith("/review") and not value.startswith("//") and "\\" not in value:
        return value
    return "/review"


async def _form(request: Request) -> dict[str, str] | None:
    """The fields of a url-encoded form; None when the body is not one or is too large."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return None


async def _posted(request: Request, session: Session) -> dict[str, str] | Response:
    """The form of a POST whose CSRF token matches the session; a 400/403 page otherwise."""
    reviewer = _reviewer(request)
    fields = await _form(request)
    if fields is None:
        return reviewer.problem(request, session, 400, "The form could not be read; please try again.")
    if not session.csrf_ok(fields.get("csrf")):
        return reviewer.problem(
            request, session, 403, "This form is out of date or did not come from this site (CSRF check)."
        )
    return fields


async def login_page(request: Request) -> Response:
    session, _ = _session(request)
    return _reviewer(request).render(
        request, "login.html", session, next=_safe_next(request.query_params.get("next")), error=None
    )


async def login(request: Request) -> Response:
    reviewer = _reviewer(request)
    session, _ = _session(request)
    fields = await _posted(request, session)
    if isinstance(fields, Response):
        return fields
    name, target = fields.get("username", "").strip(), _safe_next(fields.get("next"))
    try:
        account = await run_in_threadpool(reviewer.accounts.authenticate, name, fields.get("password", ""))
    except AccountError as error:
        # The account name and the reason only: a password is never logged.
        LOG.warning("review sign-in refused for %r: %s", name[:40], "locked" if error.locked else "refused")
        text = str(error) if error.locked else "Wrong account name or password."
        status = 429 if error.locked else 401
        return reviewer.render(request, "login.html", session, status=status, next=target, error=text)
    LOG.info("review sign-in: %s (%s)", account.name, account.role)
    response = RedirectResponse(target, status_code=303)
    return reviewer.with_cookie(request, response, session.signed_in(account.name))


async def logout(request: Request) -> Response:
    session, _ = _session(request)
    fields = await _posted(request, session)
    if isinstance(fields, Response):
        return fields
    response = RedirectResponse("/review/login?done=signed_out", status_code=303)
    response.delete_cookie(COOKIE, path="/review")
    return response


@signed_in
async def dashboard(request: Request, session: Session, account: Account) -> Response:
    reviewer = _reviewer(request)
    try:
        summaries = await run_in_threadpool(views.dashboard, reviewer.workspace, reviewer.data_dir)
    except PortalError as error:
        return reviewer.problem(request, session, 503, str(error), account)
    return reviewer.render(
        request, "dashboard.html", session, account=account, summaries=summaries, kinds=KINDS
    )


def _locale(request: Request) -> str | None:
    locale = request.path_params["locale"]
    return locale if locale in _reviewer(request).locales() else None


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or "1"), 1_000_000))
    except ValueError:
        return 1


@signed_in
async def queue_page(request: Request, session: Session, account: Account) -> Response:
    reviewer, locale = _reviewer(request), _locale(request)
    if locale is None:
        return reviewer.problem(request, session, 404, "No such locale in the workspace.", account)
    params = request.query_params
    state, kind = params.get("state", ""), params.get("kind", "")
    if (state and state not in views.STATE_FILTERS) or (kind and kind not in KINDS):
        return reviewer.problem(request, session, 400, "Unknown state or kind in the filter.", account)
    query = " ".join(params.get("q", "").split())[:200]

    def build() -> views.QueuePage:
        workspace = reviewer.workspace
        return views.queue(workspace.catalog(locale), workspace.decisions(locale), state=state, kind=kind,
                           query=query, page=_page_number(params.get("page")))  # fmt: skip

    try:
        page = await run_in_threadpool(build)
    except PortalError as error:
        return reviewer.problem(request, session, 503, str(error), account)
    filters = {"state": state, "kind": kind, "q": query}
    return reviewer.render(request, "queue.html", session, account=account, locale=locale, page=page,
                           filters=filters, states=views.STATE_FILTERS, kinds=KINDS,
                           here=queue_url(locale, page=page.page, **filters))  # fmt: skip


@signed_in
async def message_page(request: Request, session: Session, account: Account) -> Response:
    return await _show_message(request, session, account)


async def _show_message(
    request: Request, session: Session, account: Account, outcome: Outcome | None = None,
    typed: str | None = None,
) -> Response:  # fmt: skip
    reviewer, locale = _reviewer(request), _locale(request)
    segment = request.path_params["segment"]
    if locale is None:
        return reviewer.problem(request, session, 404, "No such locale in the workspace.", account)

    def build() -> views.MessageView | None:
        catalog = reviewer.workspace.catalog(locale)
        message = views.find_message(catalog, segment)
        return None if message is None else views.message_view(reviewer.workspace, locale, catalog, message)

    try:
        view = await run_in_threadpool(build)
    except PortalError as error:
        return reviewer.problem(request, session, 503, str(error), account)
    if view is None:
        return reviewer.problem(request, session, 404, f"No message {segment!r} in {locale}.", account)
    return reviewer.render(
        request, "message.html", session, status=outcome.status if outcome else 200, account=account,
        view=view, outcome=outcome, typed=typed, back=_safe_next(request.query_params.get("back")),
    )  # fmt: skip


@signed_in
async def message_action(request: Request, session: Session, account: Account) -> Response:
    reviewer, locale = _reviewer(request), _locale(request)
    fields = await _posted(request, session)
    if isinstance(fields, Response):
        return fields
    if locale is None:
        return reviewer.problem(request, session, 404, "No such locale in the workspace.", account)
    segment = request.path_params["segment"]
    outcome = await run_in_threadpool(perform, reviewer, locale, segment, account, fields)
    if outcome.status >= 400:
        if outcome.status == 403:
            return reviewer.problem(request, session, 403, outcome.text, account)
        return await _show_message(request, session, account, outcome, fields.get("translation"))
    target = fields.get("next") or segment_url(locale, segment)
    target = _safe_next(target)
    joiner = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{joiner}done={outcome.done}", status_code=303)


def review_routes() -> list[Route]:
    """The routes, before the patient routes so /review/... is never read as a locale."""
    return [
        Route("/review", dashboard),
        Route("/review/login", login_page, methods=["GET"]),
        Route("/review/login", login, methods=["POST"]),
        Route("/review/logout", logout, methods=["POST"]),
        Route("/review/{locale}", queue_page),
        Route("/review/{locale}/{segment:path}", message_page, methods=["GET"]),
        Route("/review/{locale}/{segment:path}", message_action, methods=["POST"]),
    ]
