"""Add checked-hash bytecode for `zappa_settings.py` to a zip that `zappa package` wrote.

Zappa writes its settings module into the zip after packaging, as source only; on Lambda the
task folder is read-only, so every cold start would compile it again. Usage: compile_zip_settings.py ZIP
"""

import importlib.util
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

SETTINGS = "zappa_settings.py"


def main(zip_path: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / SETTINGS
        with zipfile.ZipFile(zip_path) as archive:
            source.write_bytes(archive.read(SETTINGS))
        cached = Path(tmp) / "settings.pyc"
        py_compile.compile(
            str(source),
            cfile=str(cached),
            dfile=SETTINGS,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
        )
        name = Path(importlib.util.cache_from_source(SETTINGS)).as_posix()
        with zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as archive:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, cached.read_bytes())


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    main(sys.argv[1])
