"""Subscribable ICS feeds: per-recipient secret URLs, served by waitress.

:mod:`.tokens` stores feed tokens hashed; :mod:`.cache` renders feeds once per change of
their inputs; :mod:`.app` is the WSGI app (HTTP caching, privacy of errors, rate limits);
:mod:`.server` runs it. Push sync stays the main path: see docs/feeds.md.
"""
