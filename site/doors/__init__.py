"""Front doors: which one a request came through, the event format it speaks, and its limits.

Neutral ground between the Lambda boundary (`catsite.awslambda`, which reads and answers events)
and the web plumbing (`catsite.web`, which enforces limits and logs requests): both read these
facts, neither imports the other. Standard library only; importing this package imports nothing.

- `formats`: the three event formats AWS documents (`EventFormat`), decided once per event;
- `table`: the front doors (`FrontDoor`) and the one table of their limits (`Door`), and the
  door of a request, decided once per request;
- `media`: which answers travel base64, so the translation and the size limits agree;
- `wsgi_text`: text in a WSGI environ (PEP 3333's latin-1 "native strings").
"""
