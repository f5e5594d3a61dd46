"""The WebDAV request bodies a no-op needs, with no import beyond the standard library.

Shared by the CalDAV backend (:mod:`.caldav_http`) and the quick no-op's probe
(:mod:`.caldav_probe`), which must ask the server the very same questions.
"""

from __future__ import annotations

# RFC 6578 sync-collection asking for etag and data; servers that cannot send data here
# (Xandikos) answer 404 for calendar-data and we fetch the changed ones with a multiget.
_SYNC_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
    "<D:prop><D:getetag/>{data}</D:prop></D:sync-collection>"
)
#: the collection's last-modified only: cheap where a sync token is not (Radicale)
LAST_MODIFIED_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:"><D:prop><D:getlastmodified/></D:prop></D:propfind>'
)
_PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
    "<D:prop><D:getetag/><D:sync-token/><CS:getctag/></D:prop></D:propfind>"
)


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sync_body(token: str | None, *, with_data: bool = True) -> str:
    """The sync-collection REPORT; without data it names changes by href and etag only."""
    data = "<C:calendar-data/>" if with_data else ""
    return _SYNC_BODY.format(token=xml_escape(token or ""), data=data)


def propfind_body() -> str:
    return _PROPFIND_BODY


__all__ = ["LAST_MODIFIED_BODY", "propfind_body", "sync_body", "xml_escape"]
