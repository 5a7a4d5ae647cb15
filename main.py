"""Local entry point, as in the tutorial: `python main.py` (inside the project's .venv).

Serves the site at http://127.0.0.1:5000; with CATSITE_BUCKET unset it starts its own local S3.
The dev server is a local-only tool, so it lives in `scripts/lib` (catsite_tools.local.devserver),
never in the Lambda zip.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "scripts" / "lib"))

from catsite_tools.local.devserver import main  # noqa: E402

if __name__ == "__main__":
    main()
