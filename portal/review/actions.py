"""The writes of the message page: save a translation, approve, approve with override, reject.

Saving edits the PO file under the workspace's catalog lock; approvals and rejections go through
``Workspace.approve`` / ``Workspace.reject`` only. Each write first compares the fingerprint the
form was rendered with to the catalog under the lock: a message changed since the page was loaded
is refused (409), never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from babel.messages.catalog import Catalog

from pipeline.errors import LockBusyError, PortalError, ReviewError
from pipeline.localization.accounts import Account
from pipeline.localization.pofile import catalog_path, write_catalog
from pipeline.localization.template import stamp_translator
from pipeline.localization.workspace import MIN_OVERRIDE_REASON
from portal.review.diff import fingerprint
from portal.review.views import find_message

if TYPE_CHECKING:
    from portal.review.routes import Reviewer

__all__ = ["CONFLICT", "Outcome", "perform", "unchanged"]

CONFLICT = (
    "This message changed since you opened the page (someone else saved, approved or rejected it). "
    "Nothing was written: review the current text below and try again."
)
MAX_TRANSLATION = 20_000


@dataclass(frozen=True)
class Outcome:
    """What an action did: a 303 with ``done`` on success, or a status and a message for the page."""

    status: int
    text: str = ""
    done: str = ""


class Conflict(Exception):
    """The message is not what the form saw."""


def unchanged(segment: str, seen: str) -> Callable[[Catalog], None]:
    """A check, run under the catalog lock, that the message still has the fingerprint the form
    was made from; raises Conflict otherwise."""

    def check(catalog: Catalog) -> None:
        message = find_message(catalog, segment)
        if message is None or fingerprint(message) != seen:
            raise Conflict

    return check


def perform(
    reviewer: Reviewer, locale: str, segment: str, account: Account, fields: dict[str, str]
) -> Outcome:
    """Run one posted action; every refusal is a 4xx Outcome with a clear message."""
    action = fields.get("action", "")
    handlers = {"save": _save, "approve": _approve, "override": _approve, "reject": _reject}
    handler = handlers.get(action)
    if handler is None:
        return Outcome(400, f"Unknown action {action[:20]!r}.")
    needed: Literal["edit", "review"] = "edit" if action == "save" else "review"
    if not account.can(needed):
        verb = "edit translations" if needed == "edit" else "approve or reject"
        return Outcome(403, f"Your account ({account.role}) may not {verb}.")
    try:
        with reviewer.write_lock:
            return handler(reviewer, locale, segment, account, fields)
    except Conflict:
        return Outcome(409, CONFLICT)
    except LockBusyError as error:
        return Outcome(409, f"The catalog is being changed by another command ({error}); try again shortly.")
    except ReviewError as error:
        return Outcome(409, str(error))
    except PortalError as error:
        return Outcome(503, str(error))


def _save(reviewer: Reviewer, locale: str, segment: str, account: Account, fields: dict[str, str]) -> Outcome:
    text = fields.get("translation", "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Outcome(400, "The translation is empty; write one or leave the page.")
    if len(text) > MAX_TRANSLATION:
        return Outcome(400, f"The translation is longer than {MAX_TRANSLATION} characters.")
    workspace = reviewer.workspace
    with workspace.lock("review edit"):
        catalog = workspace.catalog(locale)
        unchanged(segment, fields.get("fingerprint", ""))(catalog)
        message = find_message(catalog, segment)
        assert message is not None  # the check above refuses a missing message
        message.string = text
        message.flags.discard("fuzzy")
        message.previous_id = []
        message.previous_context = None  # type: ignore[attr-defined]  # set by pofile's reader
        stamp_translator(catalog, account.name)
        write_catalog(catalog, catalog_path(workspace.root, locale))
    return Outcome(303, done="saved")


def _approve(
    reviewer: Reviewer, locale: str, segment: str, account: Account, fields: dict[str, str]
) -> Outcome:
    override = fields.get("reason", "").strip() if fields.get("action") == "override" else ""
    if fields.get("action") == "override" and len("".join(override.split())) < MIN_OVERRIDE_REASON:
        return Outcome(400, f"An override needs a reason of at least {MIN_OVERRIDE_REASON} characters.")
    check = unchanged(segment, fields.get("fingerprint", ""))
    entries = reviewer.workspace.approve(locale, account, [segment], override=override, expect=check)
    if not entries:
        return Outcome(409, f"{account.name} already approved this text.")
    return Outcome(303, done="approved")


def _reject(
    reviewer: Reviewer, locale: str, segment: str, account: Account, fields: dict[str, str]
) -> Outcome:
    reason = " ".join(fields.get("reason", "").split())
    if not reason:
        return Outcome(400, "A reason is required to reject a translation.")
    check = unchanged(segment, fields.get("fingerprint", ""))
    reviewer.workspace.reject(locale, account, segment, reason[:2000], expect=check)
    return Outcome(303, done="rejected")
