"""The module-level WSGI app: Zappa's `app_function`, gunicorn's `catsite.wsgi:app`, main.py.

This is the one module that builds the app at import, by design: it is what WSGI servers load.
"""

from catsite.app import create_app

app = create_app()
