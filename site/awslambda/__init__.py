"""The Lambda boundary: what Lambda calls, and everything between an HTTP event and WSGI.

`handler` is the entry point (`lambda_handler` in zappa_settings.json); `reading` reads an event
as AWS documents its format; `lean` runs the app for it; `answers` shapes the answer in the
door's format; `zappa_repairs` is Zappa 0.63's own handler for every other event, its defects
repaired; `startup` holds the cold-start and SnapStart work. What both this package and the web
plumbing need to know of a door lives in `catsite.doors`. Importing this package imports nothing.
"""
