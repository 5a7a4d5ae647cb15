"""`scripts/` as README's "Layout" describes it: the commands a person runs, each a small shell
entry point over a module of `catsite_tools` (scripts/lib), and the modules other interpreters
run by path importing nothing they would not find there."""

from __future__ import annotations

import ast
import re
import sys

from tests.support import ROOT

SCRIPTS = ROOT / "scripts"
TOOLS = SCRIPTS / "lib" / "catsite_tools"
#: Run by path in interpreters without the tools on their path (see catsite_tools' docstring), with
#: the one server each may import beside the standard library.
RUN_BY_PATH = {
    "local/lambda_worker.py": set(),
    "local/events.py": set(),  # loaded by its file by the worker
    "deploy/complete_zip_bytecode.py": set(),
    "deploy/prune_zip.py": set(),
    "rehearse/aws_emulator.py": {"moto"},
    "rehearse/ministack_emulator.py": {"ministack"},
}


def commands() -> list:
    return sorted(p for p in SCRIPTS.iterdir() if p.is_file())


def test_every_command_is_a_shell_script_and_no_python_sits_at_the_top():
    wrong = {
        p.name: p.read_text().splitlines()[0]
        for p in commands()
        if not p.read_text().startswith("#!/usr/bin/env bash\n")
    }
    assert wrong == {}


def test_no_command_carries_python_in_a_heredoc():
    heredoc = re.compile(r"python\S*\s+-\s.*<<|<<-?\s*'?PY", re.IGNORECASE)
    assert [p.name for p in commands() if heredoc.search(p.read_text())] == []


def test_every_module_a_command_runs_exists():
    named = {
        (p.name, m) for p in commands() for m in re.findall(r"-m (catsite_tools(?:\.\w+)+)", p.read_text())
    }
    missing = [
        (name, m) for name, m in named if not (SCRIPTS / "lib" / (m.replace(".", "/") + ".py")).is_file()
    ]
    assert named and missing == []


def test_the_modules_run_by_path_import_only_the_standard_library_and_their_server():
    wrong = {}
    for path, server in RUN_BY_PATH.items():
        tree = ast.parse((TOOLS / path).read_text())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        top = {name.split(".")[0] for name in imported} - {"__future__"}
        if extra := sorted(top - set(sys.stdlib_module_names) - server):
            wrong[path] = extra
    assert wrong == {}
