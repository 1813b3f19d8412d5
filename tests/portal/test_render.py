"""Body trees to HTML: escaping, the tag allow-list and safe links."""

from __future__ import annotations

import pytest

from pipeline.extraction.model import element
from portal.render import render_body, safe_href


def test_text_is_escaped() -> None:
    html = render_body([element("p", ['<script>alert(1)</script> & "quotes"'])])
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;</p>"


def test_nested_lists_and_inline_tags_are_kept() -> None:
    body = [
        element(
            "ul",
            [
                element(
                    "li",
                    ["a", element("ul", [element("li", [element("strong", ["b"]), element("sup", ["®"])])])],
                )
            ],
        )
    ]
    assert render_body(body) == "<ul><li>a<ul><li><strong>b</strong><sup>®</sup></li></ul></li></ul>"


def test_script_and_style_are_dropped_with_their_content() -> None:
    body = [element("script", ["alert(1)"]), element("style", ["p{}"]), element("p", ["kept"])]
    assert render_body(body) == "<p>kept</p>"


def test_unknown_wrappers_lose_the_tag_but_keep_escaped_text() -> None:
    body = [element("section", [element("img", [], src="x", onerror="alert(1)"), "text <b>"])]
    assert render_body(body) == "text &lt;b&gt;"


def test_model_tags_map_to_allowed_equivalents() -> None:
    body = [
        element("h2", ["T"]),
        element("b", ["B"]),
        element("i", ["I"]),
        element("blockquote", ["Q"]),
        element("h5", ["F"]),
    ]
    assert render_body(body) == "<h3>T</h3><strong>B</strong><em>I</em><div>Q</div><h4>F</h4>"


def test_attributes_other_than_href_are_dropped() -> None:
    body = [
        element("p", ["x"], onclick="alert(1)", style="color:red", **{"class": "c"}),
        element("br", [], id="b"),
    ]
    assert render_body(body) == "<p>x</p><br>"


def test_links_keep_safe_href_only() -> None:
    assert render_body([element("a", ["x"], href="https://example.test/a?b=1&c=2")]) == (
        '<a href="https://example.test/a?b=1&amp;c=2" rel="noopener noreferrer">x</a>'
    )
    assert render_body([element("a", ["x"], href="#isi")]) == '<a href="#isi">x</a>'
    assert render_body([element("a", ["x"], href="javascript:alert(1)")]) == "x"
    assert render_body([element("a", ["x"], href='/a" onmouseover="alert(1)')]) == (
        '<a href="/a&#34; onmouseover=&#34;alert(1)">x</a>'
    )


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " javascript:x",
        "\x01javascript:x",
        "data:text/html,<script>",
        "vbscript:x",
        "//evil.test/",
        "\\\\evil.test",
        "",
        None,
        42,
    ],
)
def test_unsafe_hrefs_are_refused(href: object) -> None:
    assert safe_href(href) is None


@pytest.mark.parametrize(
    "href", ["https://a.test/", "http://a.test", "#x", "/en/safety", "relative/page", "?q=1"]
)
def test_safe_hrefs_are_kept(href: str) -> None:
    assert safe_href(href) == href


def test_malformed_nodes_are_ignored() -> None:
    assert render_body([None, 3, {"tag": "p"}, {"children": ["x"]}]) == "<p></p>x"  # type: ignore[list-item]
    assert render_body(None) == ""  # type: ignore[arg-type]


def test_a_leading_block_that_repeats_the_title_is_left_out() -> None:
    body = [element("p", [element("strong", ["WARNINGS:  Risk."])]), element("p", ["Rest."])]
    assert render_body(body, "WARNINGS: Risk.") == "<p>Rest.</p>"
    assert render_body(body, "Other") == "<p><strong>WARNINGS:  Risk.</strong></p><p>Rest.</p>"
