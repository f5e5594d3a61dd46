"""Subscribable ICS feeds and parents' check-in pages: per-person secret URLs, served by
waitress.

:mod:`.tokens` stores feed tokens hashed; :mod:`.cache` renders feeds once per change of
their inputs; :mod:`.app` is the feed WSGI app (HTTP caching, privacy of errors, rate
limits). Check-ins: :mod:`.checkin_tokens` (links), :mod:`.csrf`, :mod:`.checkin_view`
(what a page shows), :mod:`.checkin_page` (HTML), :mod:`.checkin_actions` (a button
becomes a record), :mod:`.checkin_app` (the WSGI app), :mod:`.checkin_notes` (links and
reports for calendar events). :mod:`.server` wires and runs them. Push sync stays the
main path: see docs/feeds.md and docs/checkin.md.
"""
