"""Selectors of profiles: CSS (through cssselect) or XPath (prefixed ``xpath:``), compiled once."""

from __future__ import annotations

from functools import cache
from typing import Any

from cssselect import GenericTranslator, SelectorError
from lxml import etree

__all__ = ["SelectorSyntaxError", "compile_selector", "select_all", "select_first"]

XPATH_PREFIX = "xpath:"


class SelectorSyntaxError(ValueError):
    """A selector is neither valid CSS nor valid XPath."""


@cache
def compile_selector(selector: str, relative: bool = True) -> etree.XPath:
    """An XPath for a selector; CSS is read relative to the context element (``:scope`` is it)."""
    if selector.startswith(XPATH_PREFIX):
        expression = selector.removeprefix(XPATH_PREFIX).strip()
    else:
        # Below an element a selector means its descendants; :scope names the element itself.
        prefix = "descendant-or-self::" if not relative or ":scope" in selector else "descendant::"
        try:
            expression = GenericTranslator().css_to_xpath(selector, prefix=prefix)
        except SelectorError as exc:
            raise SelectorSyntaxError(f"not a CSS selector: {selector!r} ({exc})") from None
    try:
        return etree.XPath(expression)
    except etree.XPathSyntaxError as exc:
        raise SelectorSyntaxError(f"not an XPath expression: {expression!r} ({exc})") from None


def select_all(context: Any, selector: str, relative: bool = True) -> list[Any]:
    """Elements matching ``selector`` under ``context``, in document order (text results dropped)."""
    found = compile_selector(selector, relative)(context)
    return (
        [el for el in found if isinstance(getattr(el, "tag", None), str)] if isinstance(found, list) else []
    )


def select_first(context: Any, selector: str, relative: bool = True) -> Any:
    found = select_all(context, selector, relative)
    return found[0] if found else None
