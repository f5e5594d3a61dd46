"""Optional dependencies: the Google client and the feed server are extras.

The Google client alone is about 40% of a full install, and most coordinators use CalDAV
or the ics folder; the feed server's WSGI server is only needed by ``pc-calendar serve``.
A plan or command that needs a missing extra gets a message naming it, not an ImportError.
"""

from __future__ import annotations

import importlib

from .errors import UserError

#: extra -> the modules it installs that the code imports
EXTRAS: dict[str, tuple[str, ...]] = {
    "google": (
        "googleapiclient",
        "google.auth",
        "google.oauth2",
        "google_auth_httplib2",
        "google_auth_oauthlib",
        "httplib2",
    ),
    "serve": ("waitress",),
    "pdf": ("weasyprint",),
}


def require(extra: str, what: str) -> None:
    """Raise a UserError naming ``pc-calendar[extra]`` unless its modules import."""
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            raise UserError(
                f"{what} needs the optional dependencies of pc-calendar[{extra}] "
                f"(module {module} is not installed)",
                hint=f"pip install 'pc-calendar[{extra}]'",
            ) from None
