"""HTML pages read as documents: their tags with attributes in document order (`parse`), or a tree
of elements with their text (`document`), so a test asserts on elements, attributes and what a
person reads, not on how today's template happens to spell its markup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Elements that have no end tag (HTML Living Standard, "Void elements").
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


@dataclass
class Element:
    """One element: its tag, attributes, and children (elements and text, in order)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """What a person reads in it: its text, entities decoded, white space collapsed."""
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else f" {child.text()} ")
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def raw_text(self) -> str:
        """Its text exactly as written, white space kept (for `<pre>`)."""
        return "".join(child if isinstance(child, str) else child.raw_text() for child in self.children)

    def iter(self):
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements inside (or this one) with `tag` and these attribute values (`class_` for
        class, `_` for `-`: `aria_live="polite"`)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        """The first such element; fails the test when there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.find(id=element_id)


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        # An end tag closes the nearest open element of its name (and any left open inside it);
        # a stray end tag closes nothing.
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def document(html: str) -> Element:
    """The page as a tree of elements (its root is `#document`)."""
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.root


def described_by(page: Element, control: Element) -> list[Element]:
    """The elements a control's `aria-describedby` names (WAI-ARIA 1.2), in its order."""
    ids = (control.attrs.get("aria-describedby") or "").split()
    return [page.by_id(element_id) for element_id in ids]


def assert_error_page(html: str, leaks: re.Pattern | None = None) -> Element:
    """`html` is one of the site's own error pages, not a framework's default one: the site's
    layout (its language, stylesheet and main landmark), a heading and an explanation in the main
    content, and a link back to the home page; none of its text matches `leaks`. Returns `main`."""
    page = document(html)
    assert page.find("html").attrs.get("lang"), "the page states its language"
    assert any("stylesheet" in (link.attrs.get("rel") or "").split() for link in page.find_all("link"))
    main = page.find("main")
    assert main.find("h1").text(), "a heading says what happened"
    assert any(p.text() for p in main.find_all("p")), "a paragraph explains it"
    assert main.find_all("a", href="/"), "a way back to the home page"
    if leaks is not None:
        assert not leaks.search(page.text()), page.text()
    return main
