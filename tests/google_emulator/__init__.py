"""A local emulator of the Google Calendar v3 REST API, for tests of the Google backend.

The real google-api-python-client talks to it over HTTP on 127.0.0.1 (see
:class:`GoogleEmulator`; the pytest fixture is in ``fixtures.py``). It follows Google's
documented behaviour, including the parts that surprise clients:

- event ids: base32hex (``a-v``, ``0-9``), 5-1024 characters, else 400; an id that
  exists -- even as a deleted (``cancelled``) event -- answers 409 ``duplicate``;
- deleting keeps the event as ``cancelled`` with its id; deleting it again is 410
  ``deleted``; update/patch with ``status: confirmed`` restores it;
- every write changes the quoted etag; a stale ``If-Match`` is 412 ``conditionNotMet``;
- ``dateTime`` values come back in the response zone (``?timeZone=`` or the calendar's
  zone; the primary calendar is UTC unless configured), ``date`` values as given;
- incremental listings (``syncToken``/``updatedMin``) include deleted events, reduced to
  ``kind``/``etag``/``id``/``status`` unless ``showDeleted=true``; ``syncToken`` with any
  of the filters Google forbids is 400; an invalidated token is 410 ``fullSyncRequired``;
- ``privateExtendedProperty`` constraints are ANDed (the API reference; one localized
  guide says OR, so a careful client uses a single constraint); property keys over 44
  characters are silently dropped and values over 1024 silently truncated;
- ``maxResults`` defaults to 250 and is capped at 2500; ``nextSyncToken`` only on the last
  page; ``short_pages`` makes pages shorter than asked, as Google may;
- ``fields`` partial responses;
- batches: multipart/mixed, per-part status, ``<response-ID>`` Content-IDs, one quota
  unit per part. Google documents up to 1000 parts; the emulator refuses more than 50
  (the project's ceiling, configurable) with 400 ``batchSizeTooLarge``.

Not emulated: recurring events (``singleEvents`` is accepted, nothing is expanded),
attendees and notifications, ACLs, push channels, calendarList writes.
"""

from .emulator import GoogleEmulator
from .store import PRIMARY_ID

__all__ = ["PRIMARY_ID", "GoogleEmulator"]
