"""CSRF protection for the check-in forms: a signed form token plus an origin check.

The check-in link is itself the credential, and there are no cookies, so a forged
cross-site form would need the secret link already. Still, two standard defences apply
to every POST (OWASP's "signed double submit" without a cookie, and "verify origin"):

* each form carries a token ``<issued>.<nonce>.<mac>``: an HMAC under the server key
  of the check-in token's hash, the form's purpose, the time it was issued and a random
  nonce. It is valid for :data:`MAX_AGE_S`, only for that link and purpose, and only
  once (a replayed form, say a double tap or a reload, is refused);
* a request a browser marks as cross-site (``Sec-Fetch-Site``), or whose ``Origin`` (or
  failing that ``Referer``) names another host than the one it was sent to, is refused.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .secret import derive

MAX_AGE_S = 12 * 3600
_SEEN_LIMIT = 100_000


def _mac(key: bytes, link_hash: str, purpose: str, issued: str, nonce: str) -> str:
    digest = derive(key, "csrf", link_hash, purpose, issued, nonce)
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


class FormTokens:
    """Issue and check form tokens bound to one check-in link and one purpose."""

    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self._clock = clock
        self._lock = threading.Lock()
        self._used: OrderedDict[str, float] = OrderedDict()  # nonce -> issued

    def issue(self, link_hash: str, purpose: str) -> str:
        issued = str(int(self._clock()))
        nonce = secrets.token_urlsafe(12)
        return f"{issued}.{nonce}.{_mac(self._key, link_hash, purpose, issued, nonce)}"

    def check(self, link_hash: str, purpose: str, value: str) -> bool:
        """True once for a genuine, fresh token of this link and purpose."""
        issued, _, rest = value.partition(".")
        nonce, _, mac = rest.partition(".")
        if not (issued.isdigit() and nonce and mac) or len(value) > 200:
            return False
        expected = _mac(self._key, link_hash, purpose, issued, nonce)
        if not hmac.compare_digest(mac.encode(), expected.encode()):
            return False
        now = self._clock()
        if not now - MAX_AGE_S <= int(issued) <= now + 60:
            return False
        with self._lock:
            self._forget(now)
            if nonce in self._used:
                return False
            self._used[nonce] = int(issued)
        return True

    def _forget(self, now: float) -> None:
        """Expired tokens cannot pass the age check, so their nonces can go."""
        while self._used:
            nonce, issued = next(iter(self._used.items()))
            if issued >= now - MAX_AGE_S and len(self._used) < _SEEN_LIMIT:
                break
            self._used.popitem(last=False)


def same_origin(environ: Mapping[str, Any], trusted_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether a POST comes from a page of this server (or of a trusted public host).

    ``Sec-Fetch-Site`` is trusted when sent (browsers set it, pages cannot); else the
    ``Origin`` header, else ``Referer``, must name the ``Host`` the request was sent
    to. A client that sends none of them (not a browser) passes: the form token still
    has to be right.
    """
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site not in ("same-origin", "none"):
        return False
    claimed = environ.get("HTTP_ORIGIN") or environ.get("HTTP_REFERER")
    if claimed is None:
        return True
    if claimed == "null":
        return False
    try:
        netloc = urlsplit(claimed).netloc.lower()
    except ValueError:
        return False
    host = str(environ.get("HTTP_HOST", "")).lower()
    return bool(netloc) and (netloc == host or netloc in trusted_hosts)
