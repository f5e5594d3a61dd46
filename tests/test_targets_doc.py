"""docs/targets.md stays true to the code that reads calendar targets.

1. The key tables of ``caldav`` and ``google`` list exactly the keys their settings
   readers know (``KNOWN_KEYS``), ``ics`` lists only ``folder`` (its factory refuses any
   other), and every literal default in those tables is what the reader gives.
2. Every TOML example loads through the real target loader (a plan fragment goes into a
   small base plan, anything else is a ``calendars.toml``), and each target is accepted
   by its backend: ``ics`` and ``caldav`` are built by their factories (which send
   nothing), ``google`` is read by ``google_config.read_settings``. Passwords come from
   where the example says: an environment variable, a 0600 file, or a keyring held in
   memory. Nothing is reached over the network.
3. Names and figures the doc quotes (secret-value keys, state-key exclusions, backend
   types, the stamp margin, batch size) are the code's.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from pc_calendar.backends import caldav_config, google_config
from pc_calendar.backends.caldav import CalDAVBackend
from pc_calendar.backends.caldav_stamp import MARGIN, REVERIFY
from pc_calendar.backends.google_batch import BATCH_LIMIT
from pc_calendar.backends.ics_folder import IcsFolderBackend, ics_factory
from pc_calendar.errors import UserError
from pc_calendar.plan.load import load_plan
from pc_calendar.plugins import backends, build_plugin_manager
from pc_calendar.sync.secrets import SECRET_VALUE_KEYS
from pc_calendar.sync.targets import (
    NOT_IDENTITY,
    BackendContext,
    Target,
    load_targets,
    make_backend,
)

DOC = Path(__file__).parents[1] / "docs" / "targets.md"
BLOCK = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)
# "## `caldav`: ..." up to the next "## " heading
TYPE_SECTION = re.compile(r"^## `(\w+)`[^\n]*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
# a key row of a four-column table: | `key` | type | default | meaning |
KEY_ROW = re.compile(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \| .* \|$", re.MULTILINE)

PARENTS = ("alex", "sam")
BASE_PLAN = (
    '[family]\nid = "doc-family"\nname = "Doc family"\ntimezone = "America/Chicago"\n\n'
    '[[children]]\nid = "maya"\nname = "Maya"\nbirth_date = 2016-04-12\n\n'
    '[rotation]\npattern = "alternating_weeks"\nanchor = 2026-01-05\n\n'
)
DOC_PASSWORD = "doc-example-password"


def text() -> str:
    return DOC.read_text(encoding="utf-8")


def blocks() -> list[str]:
    return BLOCK.findall(text())


def _ids(found: list[str]) -> list[str]:
    return [f"block{i}-{block.splitlines()[0][:30]}" for i, block in enumerate(found)]


def documented_keys(kind: str) -> dict[str, str]:
    """Key -> default cell of the key table in the ``## `kind` `` section."""
    sections = dict(TYPE_SECTION.findall(text()))
    assert kind in sections, f"docs/targets.md has no '## `{kind}`' section"
    return {key: default.strip() for key, default in KEY_ROW.findall(sections[kind])}


class MemoryKeyring(KeyringBackend):
    """A keyring that holds a password for every named user (none for an empty name)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return DOC_PASSWORD if service and username else None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


@pytest.fixture
def pm(monkeypatch: pytest.MonkeyPatch):
    """Only the built-in plugins, whatever else is installed."""
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
    return build_plugin_manager()


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


def load_block(block: str, folder: Path, pm) -> tuple[Path, list[Target]]:
    """The targets a block declares: as a plan fragment, or as a calendars.toml."""
    data = tomllib.loads(block)
    plan_path = folder / "plan.toml"
    defined = set(data.get("parents", {}))
    parents = "".join(f'[parents.{p}]\nname = "{p}"\n\n' for p in PARENTS if p not in defined)
    if defined:
        plan_path.write_text(BASE_PLAN + parents + block, encoding="utf-8")
    else:
        plan_path.write_text(BASE_PLAN + parents, encoding="utf-8")
        (folder / "calendars.toml").write_text(block, encoding="utf-8")
    return plan_path, load_targets(load_plan(plan_path), plan_path, pm=pm)


def provide_password(config: dict, context: BackendContext, monkeypatch) -> None:
    """Put the password where the example says it is (the keyring fixture holds any)."""
    if env := config.get("password_env"):
        monkeypatch.setenv(env, DOC_PASSWORD)
    if name := config.get("password_file"):
        path = context.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DOC_PASSWORD + "\n", encoding="utf-8")
        path.chmod(0o600)


def test_the_doc_has_examples_of_every_builtin_type(tmp_path, pm):
    kinds = set()
    for i, block in enumerate(blocks()):
        folder = tmp_path / str(i)
        folder.mkdir()
        _, targets = load_block(block, folder, pm)
        assert targets, f"example {i} declares no target"
        kinds |= {t.type for t in targets}
    assert kinds >= {"ics", "caldav", "google"}


@pytest.mark.parametrize("block", blocks(), ids=_ids(blocks()))
def test_example_is_accepted(block, tmp_path, pm, monkeypatch, memory_keyring):
    plan_path, targets = load_block(block, tmp_path, pm)
    for target in targets:
        context = BackendContext(
            "doc-family", target.parent_id, plan_path.parent, target.source, dry_run=True
        )
        if target.type == "google":
            settings = google_config.read_settings(dict(target.config), context)
            assert settings.where == target.source
            continue
        provide_password(target.config, context, monkeypatch)
        backend = make_backend(target, context, pm)
        try:
            if target.type == "caldav":
                assert isinstance(backend, CalDAVBackend)
                assert backend.request_count == 0  # building it sent nothing
                if {"password_env", "password_file", "keyring"} & set(target.config):
                    assert backend.settings.password == DOC_PASSWORD
            else:
                assert isinstance(backend, IcsFolderBackend)
        finally:
            backend.close()


@pytest.mark.parametrize("kind", ["caldav", "google"])
def test_documented_keys_are_the_known_keys(kind):
    module = {"caldav": caldav_config, "google": google_config}[kind]
    assert set(documented_keys(kind)) == set(module.KNOWN_KEYS) - {"type"}


def test_ics_documents_folder_its_only_key(tmp_path):
    assert set(documented_keys("ics")) == {"folder"}
    context = BackendContext("doc-family", "alex", tmp_path, "doc")
    assert isinstance(ics_factory({"folder": "out/alex"}, context), IcsFolderBackend)
    with pytest.raises(UserError, match="unknown key"):
        ics_factory({"folder": "out/alex", "path": "x"}, context)


def _defaults(kind: str) -> dict[str, object]:
    """What the settings reader gives for every key a minimal target leaves out."""
    context = {"source": "doc", "parent_id": "alex"}
    if kind == "caldav":
        settings = caldav_config.read_settings({"url": "https://dav.example.org/"}, context)
        return vars(settings)
    settings = google_config.read_settings({}, context)
    return {**vars(settings), "credentials": "anonymous" if settings.anonymous else "oauth"}


@pytest.mark.parametrize("kind", ["caldav", "google"])
def test_literal_defaults_are_the_readers(kind):
    actual = _defaults(kind)
    literal = {
        key: tomllib.loads(f"v = {cell[1:-1]}")["v"]
        for key, cell in documented_keys(kind).items()
        if re.fullmatch(r"`[^`]+`", cell)
    }
    assert literal, f"no literal defaults found for {kind}"
    assert {key: actual[key] for key in literal} == literal


def test_names_and_figures_quoted_are_the_codes(pm):
    doc = text()
    assert [k for k in sorted(SECRET_VALUE_KEYS) if f"`{k}`" not in doc] == []
    state = re.search(r"^### State keys.*?(?=^##)", doc, re.MULTILINE | re.DOTALL)
    assert state, "docs/targets.md has no '### State keys' section"
    assert [k for k in sorted(NOT_IDENTITY) if f"`{k}`" not in state.group(0)] == []
    assert [name for name in backends(pm).names() if f"`{name}`" not in doc] == []
    assert f"at least {MARGIN} seconds" in doc
    assert REVERIFY == 24 * 3600 and "once a day" in doc
    assert f"batches of up to {BATCH_LIMIT}" in doc
