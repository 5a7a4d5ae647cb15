"""Add checked-hash bytecode for the Python files `zappa package` put into a zip uncompiled.

Zappa writes its settings module into the zip after packaging, and an empty `__init__.py` into
every folder that lacks one (flask/sansio, say), both as source only. On Lambda the task folder
is read-only, so every cold start would compile them again.

Usage: python -m catsite_tools.deploy.complete_zip_bytecode ZIP   (prints the files it compiled;
scripts/package runs it in the build virtualenv, standard library only)
"""

import importlib.util
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath


def cached_name(name: str) -> str:
    return PurePosixPath(importlib.util.cache_from_source(name)).as_posix()


def missing_bytecode(names: set[str]) -> list[str]:
    return [name for name in sorted(names) if name.endswith(".py") and cached_name(name) not in names]


def main(zip_path: str) -> None:
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        sources = {name: archive.read(name) for name in missing_bytecode(names)}
    with (
        tempfile.TemporaryDirectory() as tmp,
        zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as archive,
    ):
        for number, (name, data) in enumerate(sources.items()):
            source, cached = Path(tmp) / f"{number}.py", Path(tmp) / f"{number}.pyc"
            source.write_bytes(data)
            py_compile.compile(
                str(source),
                cfile=str(cached),
                dfile=name,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            )
            info = zipfile.ZipInfo(cached_name(name))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, cached.read_bytes())
            print(f"  compiled {name}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
