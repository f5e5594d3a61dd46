"""Where notification URLs come from: the environment or the keyring, never the plan.

An apprise URL usually holds a secret (a bot token, an SMTP password), and plan files
are shared with both parents and sometimes a court, so the plan only says *who*
(parent ids) and this module finds *where*:

- the coordinator: ``PC_CALENDAR_APPRISE_URLS``, else the keyring entry
  (service ``pc-calendar-apprise``, user ``coordinator``);
- a parent, only if configured: ``PC_CALENDAR_APPRISE_URLS_<PARENT>`` (the parent id in
  capitals, ``-`` as ``_``), else the keyring entry with user ``parent:<id>``.

Several URLs may be given at once, separated by spaces, commas or newlines. Families
are told apart by ``PC_CALENDAR_APPRISE_URLS_FAMILY_<FAMILY>`` when one machine serves
several families; it wins over the plain coordinator variable.
"""

from __future__ import annotations

import os
import re

SERVICE = "pc-calendar-apprise"
ENV = "PC_CALENDAR_APPRISE_URLS"


def _env_key(identifier: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", identifier.upper())


def split_urls(value: str | None) -> list[str]:
    """``"a://x, b://y\\nc://z"`` -> three URLs; empty or None -> none."""
    return [u for u in re.split(r"[\s,]+", value or "") if u]


def _keyring(user: str) -> str | None:
    """A keyring secret, or None when there is none or no usable keyring at all."""
    try:
        import keyring

        return keyring.get_password(SERVICE, user)
    except Exception:  # no backend on a headless box: the environment is the way
        return None


def coordinator_urls(family_id: str) -> list[str]:
    """URLs that reach the coordinator of ``family_id``."""
    for value in (os.environ.get(f"{ENV}_FAMILY_{_env_key(family_id)}"), os.environ.get(ENV)):
        if value is not None:
            return split_urls(value)
    return split_urls(_keyring("coordinator"))


def parent_urls(parent_id: str) -> list[str]:
    """URLs that reach one parent; none unless that parent's were configured."""
    value = os.environ.get(f"{ENV}_{_env_key(parent_id)}")
    if value is not None:
        return split_urls(value)
    return split_urls(_keyring(f"parent:{parent_id}"))
