"""The reviewer workspace in the browser (/review): sign-in, dashboard, queue, message page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette

if TYPE_CHECKING:
    from pipeline.config import Settings

__all__ = ["install"]


def install(app: Starlette, settings: Settings) -> None:
    """Put the review routes in front of the patient routes and keep their state on the app."""
    from portal.review.routes import Reviewer, review_routes

    app.state.reviewer = Reviewer(settings)
    app.router.routes[0:0] = review_routes()
