"""The package's shape, as README's "Layout" describes it: the rules that keep it readable in one
hop and its cold start safe, checked on the source so a change that breaks one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "site"
MAX_CLASS_METHODS = 15
MAX_TOP_LEVEL_MODULES = 10


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_package_keeps_at_most_ten_top_level_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_class_has_more_than_15_methods():
    big = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
                if len(methods) > MAX_CLASS_METHODS:
                    big[f"{path.relative_to(ROOT)}:{node.name}"] = len(methods)
    assert big == {}


def test_only_the_s3_package_imports_botocore_or_boto3():
    outside = {
        str(p.relative_to(ROOT)): sorted(n for n in imported(p) if n.split(".")[0] in ("botocore", "boto3"))
        for p in modules()
        if p.parent.name != "s3"
    }
    assert {k: v for k, v in outside.items() if v} == {}


def test_the_product_never_imports_the_tools_or_the_tests():
    wrong = {
        str(p.relative_to(ROOT)): sorted(
            n for n in imported(p) if n.split(".")[0] in ("catsite_tools", "tests")
        )
        for p in modules()
    }
    assert {k: v for k, v in wrong.items() if v} == {}
