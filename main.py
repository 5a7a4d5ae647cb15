"""Local entry point, as in the tutorial: `python main.py` (inside the project's .venv).

Serves the site at http://127.0.0.1:5000; with CATSITE_BUCKET unset it starts its own local S3.
"""

from catsite.devserver import main

if __name__ == "__main__":
    main()
