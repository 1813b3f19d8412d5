"""Extraction profiles: declarative TOML files saying where a site keeps its content.

A profile is an ordered list of ``[[block]]`` tables (glossary entries, sections, safety content,
FAQs, an abbreviation line), each naming its elements with CSS selectors (or XPath, prefixed
``xpath:``), plus a ``[contract]`` the page must satisfy. Profiles live in the workspace's
``profiles/<name>.toml`` or ship with the package (``builtin_profiles/``); a source may also name a
file by path. ``auto`` is the built-in heuristic profile and has no file. See docs/profiles.md.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.config import find_workspace
from pipeline.errors import SourceError
from pipeline.extraction.model import INLINE_TAGS
from pipeline.extraction.selectors import SelectorSyntaxError, compile_selector
from pipeline.fs import read_toml

__all__ = [
    "AUTO",
    "AbbreviationsBlock",
    "Block",
    "ContractSpec",
    "FaqBlock",
    "GlossaryBlock",
    "Profile",
    "ProfileError",
    "SafetyBlock",
    "SectionBlock",
    "builtin_profiles",
    "load_profile",
    "resolve_profile",
]

AUTO = "auto"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
DEFAULT_HEADING = ":scope > h2, :scope > h3, :scope > summary"
Kind = Literal["glossary", "safety", "page"]
SELECTOR_KEYS = (
    "select", "heading", "title_from", "skip", "page_title", "boxed_within", "entries", "term",
    "definition", "pronunciation", "box", "box_title", "questions", "question_heading", "items",
    "question", "answer",
)  # fmt: skip
BLOCK_TYPES = ("section", "glossary", "safety", "faq", "abbreviations")


class ProfileError(SourceError):
    """A profile cannot be found, read or validated."""


class _Spec(BaseModel):
    # strict: TOML has real booleans and numbers, so "yes" for a boolean is a mistake, not a True
    model_config = ConfigDict(extra="forbid", strict=True)


class _Block(_Spec):
    name: str = Field(
        default="", description="What the block is, for error messages ('the ISI section.isi')."
    )
    select: str = Field(description="The block's element(s) on the page.")
    required: bool = False

    def what(self) -> str:
        return self.name or self.select

    @model_validator(mode="after")
    def _selectors(self) -> _Block:
        # A typo in a selector is a profile error at load time, not a silent "found nothing".
        for key in SELECTOR_KEYS:
            value = getattr(self, key, None)
            if isinstance(value, str):
                try:
                    compile_selector(value)
                except SelectorSyntaxError as exc:
                    raise ValueError(f"{key}: {exc}") from None
        for key in ("filter",):
            value = getattr(self, key, None)
            if isinstance(value, str):
                _compiles(value)
        return self


class SectionBlock(_Block):
    """Each matched element (or heading, with ``split``) becomes one document."""

    type: Literal["section"]
    kind: Kind = "page"
    match: Literal["all", "first", "combined"] = "all"
    split: bool = False
    heading: str = DEFAULT_HEADING
    title: str | None = None
    title_from: str | None = None
    filter: str | None = None
    id: str = "{source}/{slug}"
    anchor: Literal["element", "none"] = "element"
    skip: str | None = None
    page_title: str | None = None
    boxed_within: str | None = None
    images: bool = True


class GlossaryBlock(_Block):
    """A list of term entries: one ``glossary`` document per entry."""

    type: Literal["glossary"]
    entries: str
    term: str
    definition: str
    pronunciation: str | None = None
    id: str = "glossary/{slug}"
    abbreviation_in_term: bool = True
    also_known_as: str = r"also known as ([^.;]+)"

    @field_validator("also_known_as")
    @classmethod
    def _regex(cls, value: str) -> str:
        return _compiles(value)


class SafetyBlock(_Block):
    """Safety content: a boxed warning and the safety questions around it."""

    type: Literal["safety"]
    box: str | None = None
    box_title: str | None = None
    box_id: str = "isi/warnings"
    box_body: Literal["title", "content"] = "title"
    questions: str
    question_heading: str = ":scope > h3"
    question_id: str = "isi/{slug}"
    split: bool = False
    filter: str | None = None


class FaqBlock(_Block):
    """Questions and answers (``<details>`` accordions and the like), with an optional group heading."""

    type: Literal["faq"]
    heading: str = ":scope > h2"
    items: str
    question: str
    answer: str | None = None
    id: str = "{source}/{slug}"


class AbbreviationsBlock(_Block):
    """A line like 'MM, multiple myeloma; PI, proteasome inhibitor.'"""

    type: Literal["abbreviations"]
    id: str = "{source}/abbreviations"
    title: str = "Abbreviations"


Block = Annotated[
    SectionBlock | GlossaryBlock | SafetyBlock | FaqBlock | AbbreviationsBlock, Field(discriminator="type")
]


class ContractSpec(_Spec):
    """What the page must yield, or it fails loudly (exit 2)."""

    min_entries: int = Field(default=0, ge=0)
    min_documents: int = Field(default=1, ge=0)
    required: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)
    safety_phrases: list[str] = Field(default_factory=list)


class Profile(_Spec):
    """A whole profile file."""

    description: str = ""
    keep_inline: list[str] = Field(default_factory=lambda: sorted(INLINE_TAGS))
    block: list[Block] = Field(min_length=1)
    contract: ContractSpec = Field(default_factory=lambda: ContractSpec())

    @field_validator("keep_inline")
    @classmethod
    def _inline(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - INLINE_TAGS)
        if unknown:
            raise ValueError(
                f"not inline tags: {', '.join(unknown)} (known: {', '.join(sorted(INLINE_TAGS))})"
            )
        return value


def _compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


def _builtin_dir() -> Any:
    return resources.files("pipeline.extraction") / "builtin_profiles"


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with the package, ``auto`` included."""
    names = [p.name.removesuffix(".toml") for p in _builtin_dir().iterdir() if p.name.endswith(".toml")]
    return sorted([AUTO, *names])


def _workspace_profiles(start: Path) -> Path | None:
    workspace = find_workspace(start)
    return workspace / "profiles" if workspace else None


def resolve_profile(value: str, base: Path, *, source: str | None = None) -> Path | None:
    """The file a manifest's ``profile`` names: a path (relative to ``base``), or a name looked up in
    the workspace's profiles/ and then the built-in ones. ``auto`` resolves to None."""
    if value == AUTO:
        return None
    if value.endswith(".toml") or "/" in value:
        path = (base / Path(value).expanduser()).resolve()
        if not path.is_file():
            raise ProfileError(f"profile file {value!r} not found", source=source, file=path)
        return path
    if not NAME.match(value):
        raise ProfileError(f"{value!r} is neither a profile name nor a path to a .toml file", source=source)
    folder = _workspace_profiles(base)
    if folder is not None and (folder / f"{value}.toml").is_file():
        return (folder / f"{value}.toml").resolve()
    builtin = _builtin_dir() / f"{value}.toml"
    if builtin.is_file():
        return Path(str(builtin))
    known = builtin_profiles()
    if folder is not None and folder.is_dir():
        known += sorted(p.stem for p in folder.glob("*.toml"))
    raise ProfileError(f"unknown profile {value!r} (known: {', '.join(known)})", source=source)


def _location(loc: tuple[Any, ...]) -> str:
    """('block', 1, 'section', 'select') -> 'block[2].select' (blocks counted from 1, as people do)."""
    key = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            key += f"[{part + 1}]"
        elif not (part in BLOCK_TYPES and index and isinstance(loc[index - 1], int)):
            key += f".{part}" if key else str(part)
    return key


def _problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    key = _location(tuple(problem["loc"]))
    detail = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        detail = "unknown key"
    elif problem["type"] == "missing":
        detail = "missing"
    elif problem["type"] == "union_tag_invalid":
        detail = "unknown block type (known: section, glossary, safety, faq, abbreviations)"
    return f"key {key!r}: {detail}" if key else detail


@cache
def _load(path: Path, stamp: tuple[int, int]) -> Profile:
    table = read_toml(path, lambda problem: ProfileError(problem, file=path), "profile")
    try:
        return Profile(**table)
    except ValidationError as error:
        raise ProfileError(f"invalid profile: {_problem(error)}", file=path) from None


def load_profile(path: Path) -> Profile:
    """Read and validate a profile file (cached until the file changes)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ProfileError(f"cannot read profile: {exc.strerror or exc}", file=path) from None
    return _load(path, (info.st_mtime_ns, info.st_size))
