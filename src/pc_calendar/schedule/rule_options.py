"""Checking a date rule's options: each check returns "key: what is expected" strings,
so every rule (built-in or a plugin's, which may import these) reports a misspelt or
mistyped option the same way instead of ignoring it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any


def unknown_keys(options: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    return [
        f"{key}: unknown option (expected one of {', '.join(allowed)})"
        for key in options
        if key not in allowed
    ]


def check_int(
    options: Mapping[str, Any],
    key: str,
    lo: int,
    hi: int,
    *,
    required: bool = True,
    also: tuple[int, ...] = (),
) -> list[str]:
    """An integer option in ``lo..hi`` (or one of ``also``); bools are not integers."""
    if key not in options:
        return [f"{key}: required, expected a whole number {lo}..{hi}"] if required else []
    value = options[key]
    extra = "".join(f" or {v}" for v in also)
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{key}: expected a whole number {lo}..{hi}{extra}, got {value!r}"]
    if not (lo <= value <= hi or value in also):
        return [f"{key}: expected {lo}..{hi}{extra}, got {value}"]
    return []


def check_str(options: Mapping[str, Any], key: str, *, required: bool = True) -> list[str]:
    if key not in options:
        return [f"{key}: required, expected a text value"] if required else []
    value = options[key]
    if not isinstance(value, str) or not value.strip():
        return [f"{key}: expected a non-empty text value, got {value!r}"]
    return []


def closest(word: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Candidates that look like ``word``: case-insensitive equals first, then similar."""
    candidates = sorted(set(candidates))
    by_fold: dict[str, list[str]] = {}
    for c in candidates:
        by_fold.setdefault(c.casefold(), []).append(c)
    folds = by_fold.get(word.casefold(), []) and [word.casefold()]
    folds += [
        f for f in difflib.get_close_matches(word.casefold(), list(by_fold), n=n) if f not in folds
    ]
    out = [c for f in folds for c in by_fold[f]]
    return out[:n] if out else candidates[:n]
