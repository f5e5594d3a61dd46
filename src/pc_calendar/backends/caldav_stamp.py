"""The CalDAV change token, and when a cheap last-modified check may stand in for it.

The authority on "did anything change" is the RFC 6578 sync token (else the ctag). On
some servers that one request costs time proportional to the calendar: Radicale loads
and hashes every stored event to answer it (about 45 µs each, 0.2 s for 18 years of one
parent's events), while the collection's ``DAV:getlastmodified`` costs it one ``stat``
per file (a tenth of that). So the token we store may carry a *stamp*: the collection's
last-modified time seen just before the sync token was taken. A later no-op whose
last-modified still equals the stamp skips the sync-collection REPORT.

A stamp is only trusted when it cannot hide a change:

- it is read *before* the sync token, so anything after it moves the last-modified time
  past the stamp or shows in the next REPORT;
- last-modified has whole-second precision: a stamp is kept only when it is at least two
  seconds older than the server's ``Date`` on the same reply, so no later change can
  fall into the stamp's own second;
- RFC 4918 does not promise that a collection's last-modified moves with its members,
  so it is used only on a calendar where we saw it move across our own writes, and never
  again on one where the sync token showed a change that left it unmoved;
- the REPORT is still sent once a day (:data:`REVERIFY`) whatever the stamp says, so even
  a server that breaks these rules can hide a parent's edit for a day at most.

Right after our own confirmed writes, the last-modified they left is a *candidate*:
the next listing is the REPORT alone, and makes it the stamp when it shows nothing
changed and the server's clock on its reply is MARGIN past it, so the first no-op
after a push is one request and nothing waits for the margin.

Servers without a collection last-modified (Xandikos) are asked once and then never.
The token stays opaque to the sync engine: it is this module's business alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime

#: the prefix of tokens that carry a stamp; older "sync:"/"ctag:" tokens read as stampless
PREFIX = "dav:"
#: a stamp at least this many seconds older than the server's clock cannot share a second
#: with a change made after it was read
MARGIN = 2
#: seconds after which the sync token is asked again, whatever the stamp says
REVERIFY = 24 * 3600


@dataclass(frozen=True)
class DavToken:
    """What we remember about a calendar between runs.

    ``authority``: "sync:<token>" or "ctag:<ctag>" (or None: list everything).
    ``stamp``: the last-modified seen before the authority was taken (epoch seconds), if
    it was safely old. ``verified_at``: the server's clock then. ``trust``: whether this
    calendar's last-modified follows its events (None: not known yet).
    ``unsupported``: the server has no last-modified on the collection.
    """

    authority: str | None = None
    stamp: int | None = None
    verified_at: int | None = None
    trust: bool | None = None
    unsupported: bool = False
    #: while trust is unknown: the last-modified seen before our last writes, and whether
    #: it was a safe stamp; the next listing learns from whether it has moved since
    before_writes: int | None = None
    before_writes_safe: bool = False
    #: on a trusted calendar, after our confirmed writes: the last-modified they left
    #: (read, or the server's clock on the latest write), too recent to be a stamp yet.
    #: The next listing sends only the REPORT; if it shows nothing changed and the
    #: server's clock is by then MARGIN past it, it becomes the stamp (no PROPFIND).
    candidate: int | None = None

    def encode(self) -> str | None:
        if self.authority is None:
            return None
        fields = {
            "a": self.authority,
            "s": self.stamp,
            "v": self.verified_at,
            "t": self.trust,
            "u": self.unsupported,
            "b": self.before_writes,
            "bs": self.before_writes_safe,
            "c": self.candidate,
        }
        return PREFIX + json.dumps(fields, separators=(",", ":"))

    @classmethod
    def decode(cls, token: str | None) -> DavToken:
        if not token:
            return cls()
        if not token.startswith(PREFIX):
            return cls(authority=token)
        try:
            fields = json.loads(token[len(PREFIX) :])
            return cls(
                authority=fields["a"],
                stamp=fields.get("s"),
                verified_at=fields.get("v"),
                trust=fields.get("t"),
                unsupported=bool(fields.get("u")),
                before_writes=fields.get("b"),
                before_writes_safe=bool(fields.get("bs")),
                candidate=fields.get("c"),
            )
        except (ValueError, KeyError, TypeError):
            return cls()  # unreadable: list everything, like a lost state

    @property
    def asks_last_modified(self) -> bool:
        """Whether a listing starts with the last-modified PROPFIND.

        Not with a ctag: that is one PROPFIND already, and always to be trusted.
        """
        by_ctag = (self.authority or "").startswith("ctag:")
        return not self.unsupported and self.trust is not False and not by_ctag

    def unchanged_at(self, seen: LastModified | None) -> bool:
        """Whether ``seen`` proves nothing changed since the authority was taken."""
        return (
            seen is not None
            and self.trust is True
            and self.authority is not None
            and self.stamp is not None
            and self.verified_at is not None
            and seen.modified == self.stamp
            and 0 <= seen.now - self.verified_at < REVERIFY
        )

    def after_listing(
        self, seen: LastModified | None, authority: str | None, changed: bool
    ) -> DavToken:
        """The token after a REPORT (or full listing) that followed ``seen``.

        ``changed``: the REPORT was a delta reporting events of ours changed or removed.
        A delta with changes tells whether last-modified follows events: it must have
        moved past the (safe) stamp; if it stayed, stop using it on this calendar.
        """
        if seen is None:  # not asked, or the server has none (then never ask again)
            return replace(
                self,
                authority=authority,
                stamp=None,
                verified_at=None,
                unsupported=self.unsupported or self.asks_last_modified,
            )
        trust = self.trust
        if trust is None and self.before_writes is not None:
            # our writes came after ``before_writes``: it must have moved on since
            if seen.modified > self.before_writes:
                trust = True
            elif self.before_writes_safe:
                trust = False
        if changed and self.stamp is not None:
            trust = seen.modified != self.stamp
        return DavToken(authority, seen.safe_stamp(), seen.now, trust)

    @property
    def awaits_promotion(self) -> bool:
        """The next listing is the REPORT alone, to promote :attr:`candidate`."""
        return (
            self.trust is True
            and self.stamp is None
            and self.candidate is not None
            and (self.authority or "").startswith("sync:")
        )

    def after_promotion(
        self, authority: str | None, changed: bool, server_now: int | None
    ) -> DavToken:
        """The token after the REPORT that followed confirmed writes.

        Nothing changed since our writes were confirmed, so last-modified is still the
        candidate; once the server's clock (on that REPORT's reply) is MARGIN past it, no
        later change can share its second: it is the stamp. A change, or no clock: back
        to the ordinary listing (last-modified, then REPORT) next time.
        """
        if changed or server_now is None or self.candidate is None:
            return DavToken(authority, trust=self.trust)
        if self.candidate + MARGIN <= server_now:
            return DavToken(authority, self.candidate, server_now, True)
        return replace(self, authority=authority)  # still too recent: try again next run

    def after_writes(
        self,
        authority: str,
        before: LastModified | None,
        after: LastModified | None = None,
        written_at: int | None = None,
    ) -> DavToken:
        """The token once our own writes are confirmed.

        ``after``: last-modified read just before the confirming REPORT (asked only
        while trust is unknown: it settles trust at once); ``written_at``: the server's
        clock on our latest write. On a trusted calendar the last-modified our writes
        left becomes the :attr:`candidate` stamp (or the stamp, if already safely old),
        so the first no-op after a push is one request. Otherwise the stamp is dropped
        and, while trust is unknown, ``before`` (last-modified seen before the writes) is
        kept for the next listing to learn from, at no extra request.
        """
        trust = self.trust
        if trust is None and after is not None and before is not None:
            if after.modified > before.modified:
                trust = True
            elif before.safe_stamp() is not None:
                trust = False  # our writes came seconds later and it did not move
        if trust is True:
            if after is not None and after.safe_stamp() is not None:
                return DavToken(authority, after.modified, after.now, True)
            candidate = after.modified if after is not None else written_at
            return DavToken(authority, trust=True, candidate=candidate)
        if trust is False:
            return DavToken(authority, trust=False)
        learn = self.trust is None and before is not None
        return replace(
            self,
            authority=authority,
            stamp=None,
            verified_at=None,
            before_writes=before.modified if learn and before else None,
            before_writes_safe=bool(learn and before and before.safe_stamp() is not None),
        )


@dataclass(frozen=True)
class LastModified:
    """A collection's last-modified time and the server's clock on the same reply."""

    modified: int
    now: int

    def safe_stamp(self) -> int | None:
        """``modified`` if no later change can share its second, else None."""
        return self.modified if self.modified + MARGIN <= self.now else None


def http_date(text: str | None) -> int | None:
    """Epoch seconds of an HTTP date ("Wed, 25 Nov 2026 15:11:03 GMT"), None if unreadable."""
    if not text:
        return None
    try:
        parsed: datetime = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())
