"""The Lambda boundary: what Lambda calls and everything between an event and WSGI.

`handler` is the entry point (`lambda_handler` in zappa_settings.json); `translate` turns a door's
event into a WSGI environ and the answer back into the door's shape; `doors` is the one table of
each front door's limits; `wire` the facts about what crosses a door that both sides need
(WSGI strings, which format an event is); `zappa_repairs` undoes Zappa 0.63's defects on its own path;
`startup` holds the cold-start and SnapStart work; `tasks` is Zappa's `@task` for jobs.
Importing this package imports nothing.
"""
