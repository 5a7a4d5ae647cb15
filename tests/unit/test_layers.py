"""The package's layers are what its imports make them (docs/architecture.md).

import-linter holds the contract in pyproject.toml (`[tool.importlinter]`): each layer may import
only the layers below it, counting imports inside functions; TYPE_CHECKING blocks, which exist
for types only, are left out. Two things it cannot see are checked here: that every part of the
package has a layer, and that the modules loaded late through `catsite.lazy.deferred("...")`
(an import by name) obey the same order.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "site"


def layers() -> list[set[str]]:
    """The contract's layers, top first, each a set of module names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    return [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]


def layer_of(module: str) -> int | None:
    for index, names in enumerate(layers()):
        if any(module == name or module.startswith(name + ".") for name in names):
            return index
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("catsite", *(p for p in parts if p != "__init__")))


def test_import_linter_finds_no_import_against_the_layers(capsys):
    from importlinter.application.use_cases import lint_imports
    from importlinter.configuration import configure

    configure()
    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out[-4000:]


def test_every_module_of_the_package_has_a_layer():
    unplaced = [
        module_name(p)
        for p in sorted(PACKAGE.rglob("*.py"))
        if module_name(p) != "catsite" and layer_of(module_name(p)) is None
    ]
    assert unplaced == []


def deferred_imports(path: Path) -> list[str]:
    """The catsite modules a module loads late: `deferred("catsite....")`."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "deferred"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("catsite.")
        ):
            names.append(node.args[0].value)
    return names


def test_what_a_module_loads_late_is_below_it_too():
    upward = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for target in deferred_imports(path):
            mine, theirs = layer_of(importer), layer_of(target)
            # the same layer: a sibling module of the same package (api loads api.schemas late)
            if theirs < mine or (theirs == mine and target.split(".")[1] != importer.split(".")[1]):
                upward[importer] = target
    assert upward == {}


def test_the_check_of_late_loads_sees_an_upward_one(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('from catsite.lazy import deferred\n\nweb = deferred("catsite.web.context")\n')
    assert deferred_imports(probe) == ["catsite.web.context"]
    assert layer_of("catsite.web.context") < layer_of("catsite.stores.says")
