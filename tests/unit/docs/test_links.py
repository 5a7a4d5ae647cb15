"""Every relative link in README.md and docs/*.md resolves.

A link or image whose target has no scheme (not `https:`, `mailto:` ...) must name a file or
folder of the repository, relative to the document (or to the repository's root when it begins
with `/`), as GitHub resolves it. A `#fragment` on a Markdown target, or alone (the same
document), must equal the anchor GitHub gives one of that document's headings. Links inside code
(fenced blocks, inline spans) and HTML comments are text, not links.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support import ROOT

#: A URI scheme (RFC 3986 3.1): such a link points outside the repository.
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
ESCAPED = re.compile(r"\\[\[\]()<>#`!\\]")
#: An inline link or image whose text holds no brackets: nested ones are found innermost first.
#: The destination is `<...>` or has no spaces (balanced parentheses allowed); a title may follow.
INLINE = re.compile(
    r"!?\[(?P<text>[^\[\]]*)\]\(\s*(?P<dest><[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
#: A link reference definition: `[label]: destination`.
DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?P<dest><[^<>\n]*>|\S+)", re.MULTILINE)
ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")


def documents(root: Path) -> list[Path]:
    """The documents whose links are checked: the README and every topic page."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def _blank(match: re.Match) -> str:
    """The match's text as spaces, newlines kept, so positions (and line numbers) stay put."""
    return re.sub(r"[^\n]", " ", match.group(0))


def without_code(markdown: str) -> str:
    """`markdown` with fenced code blocks blanked out (same lines, same length)."""
    lines, fence = markdown.splitlines(keepends=True), None
    for number, line in enumerate(lines):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", line):
            fence = None
        elif fence is None:
            continue
        lines[number] = "\n" if line.endswith("\n") else ""
    return "".join(lines)


def link_targets(markdown: str) -> list[tuple[int, str]]:
    """(line number, destination) of every link and image in `markdown`, code and comments aside."""
    text = without_code(markdown)
    text = COMMENT.sub(_blank, text)
    text = CODE_SPAN.sub(_blank, text)
    text = ESCAPED.sub("  ", text)
    found: list[tuple[int, str]] = []

    def record(match: re.Match) -> str:
        destination = match.group("dest")
        found.append((text.count("\n", 0, match.start()) + 1, destination.strip("<>")))
        # The link becomes its text (padded), so a link around it is found on the next pass.
        inner = match.group("text") if "text" in match.groupdict() else ""
        return inner + " " * (len(match.group(0)) - len(inner))

    while True:
        replaced = INLINE.sub(record, text)
        if replaced == text:
            break
        text = replaced
    text = DEFINITION.sub(record, text)
    return sorted(found)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading (github-slugger): the rendered text in lower case, every
    character but letters, marks, numbers, `_`, `-` and spaces dropped, each space a hyphen.
    Links and images count by their text, and code spans by their content; `_emphasis_` is
    taken literally (kept underscores), which a heading here never uses."""
    text = heading
    while True:
        replaced = INLINE.sub(lambda m: m.group("text"), text)
        if replaced == text:
            break
        text = replaced
    text = re.sub(r"<[^>]+>", "", text).lower()
    kept = (ch for ch in text if ch in " -" or unicodedata.category(ch)[0] in "LMN" or ch == "_")
    return "".join(kept).replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Every heading's anchor; a repeated one gets `-1`, `-2` ... as GitHub numbers them."""
    lines = without_code(markdown).splitlines()
    headings = []
    for number, line in enumerate(lines):
        atx = ATX.match(line)
        if atx:
            headings.append((atx.group("text") or "").strip())
        elif (
            number + 1 < len(lines)
            and SETEXT_UNDERLINE.match(lines[number + 1])
            and line.strip()
            and not SETEXT_UNDERLINE.match(line)
        ):
            headings.append(line.strip())
    seen: dict[str, int] = {}
    for heading in headings:
        base = anchor = github_anchor(heading)
        while anchor in seen:
            seen[base] += 1
            anchor = f"{base}-{seen[base]}"
        seen[anchor] = 0
    return set(seen)


def broken_links(document: Path, root: Path) -> list[str]:
    """Every relative link of `document` that does not resolve, as `file:line: target: why`."""
    problems = []
    for line, target in link_targets(document.read_text(encoding="utf-8")):
        why = _why_broken(document, target, root)
        if why:
            problems.append(f"{document.relative_to(root)}:{line}: {target}: {why}")
    return problems


def _why_broken(document: Path, target: str, root: Path) -> str | None:
    if not target:
        return "an empty link"
    if SCHEME.match(target) or target.startswith("//"):
        return None  # outside the repository
    path, _, fragment = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        destination = document
    elif path.startswith("/"):
        destination = root / path.lstrip("/")
    else:
        destination = document.parent / path
    destination = destination.resolve()
    if not destination.is_relative_to(root.resolve()):
        return "outside the repository"
    if not destination.exists():
        return "no such file"
    markdown = destination.suffix.lower() == ".md"
    if fragment and markdown and unquote(fragment) not in heading_anchors(destination.read_text("utf-8")):
        return f"{destination.relative_to(root.resolve())} has no heading with the anchor #{fragment}"
    return None


def test_every_relative_link_in_the_readme_and_the_docs_resolves():
    assert [problem for document in documents(ROOT) for problem in broken_links(document, ROOT)] == []


def test_the_readme_links_to_every_docs_page():
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for _, target in link_targets((ROOT / "README.md").read_text())
    }
    unlinked = [page.name for page in documents(ROOT)[1:] if page.resolve() not in linked]
    assert unlinked == []


def test_broken_links_are_reported_and_sound_ones_are_not(tmp_path):
    (tmp_path / "docs").mkdir()
    page = "# A page\n\n## Its part: one & two\n\nBack to [the top](#a-page).\n"
    (tmp_path / "docs" / "page.md").write_text(page)
    (tmp_path / "picture.png").write_bytes(b"")
    (tmp_path / "README.md").write_text(
        "# Readme\n\n"
        "## Local part\n\n"
        "Sound: [page](docs/page.md), [part](docs/page.md#its-part-one--two), [here](#local-part),\n"
        '[root](/docs/page.md), ![picture](picture.png "a title"), [site](https://example.com/x),\n'
        "[mail](mailto:cat@example.com), [nested ![picture](picture.png)](docs/page.md).\n\n"
        "Broken: [gone](docs/missing.md), [no part](docs/page.md#nowhere), [not here](#missing),\n"
        "![no picture](missing.png), [up](../outside.md), [nested ![x](gone.png)](docs/page.md).\n\n"
        "Not links: `[code](docs/code.md)`, \\[escaped](docs/escaped.md), <!-- [comment](c.md) -->\n\n"
        "```\n[fenced](docs/fenced.md)\n```\n"
    )
    problems = broken_links(tmp_path / "README.md", tmp_path)
    assert [problem.split(": ")[0:2] for problem in problems] == [
        ["README.md:9", "#missing"],
        ["README.md:9", "docs/missing.md"],
        ["README.md:9", "docs/page.md#nowhere"],
        ["README.md:10", "../outside.md"],
        ["README.md:10", "gone.png"],
        ["README.md:10", "missing.png"],
    ]
    assert broken_links(tmp_path / "docs" / "page.md", tmp_path) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Run it, test it", "run-it-test-it"),
        ("Warm `/healthz`", "warm-healthz"),
        ("The bucket's public and private parts", "the-buckets-public-and-private-parts"),
        ("Its part: one & two", "its-part-one--two"),
        ("`CATSITE_BUCKET` and `AWS_REGION`", "catsite_bucket-and-aws_region"),
        ("Long requests: the ALB stage, and jobs", "long-requests-the-alb-stage-and-jobs"),
        ("A [linked](x.md) title", "a-linked-title"),
        ("Ünïcode héading 2", "ünïcode-héading-2"),
    ],
)
def test_anchors_are_computed_as_github_does(heading, anchor):
    assert github_anchor(heading) == anchor


def test_repeated_headings_are_numbered_and_headings_in_code_do_not_count():
    markdown = "# Notes\n\n## Notes\n\nSetext\n------\n\n```\n# Not a heading\n```\n"
    assert heading_anchors(markdown) == {"notes", "notes-1", "setext"}
