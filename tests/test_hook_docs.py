"""Meta-tests that keep the plugin contract honest (as datasette does).

1. Every hook in ``hookspecs.py`` is documented in ``docs/plugins.md`` under its own
   heading with its exact signature, and the guide documents no hook that is gone.
2. Every hook has a test that implements it: ``HOOK_TESTS`` names them, and each named
   test must exist in a file that implements the hook (for an example plugin's test,
   the plugin's own package implements it). A new hook fails here until it
   gets both a section in the guide and a test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pc_calendar import hookspecs

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "plugins.md"

# hook -> tests that register an implementation of it and check what it did.
HOOK_TESTS: dict[str, list[str]] = {
    "pc_calendar_register_patterns": [
        "tests/test_plugins_cli.py::test_taken_name_is_refused_naming_both_plugins",
        "tests/test_plugins.py::test_raising_plugin_is_named",
    ],
    "pc_calendar_register_date_rules": [
        "tests/test_plugins_cli.py::test_wrong_type_date_rule_is_named",
        "plugins/pc-calendar-religious-holidays/tests/test_in_a_plan.py"
        "::test_plan_using_the_rules_passes_check",
    ],
    "pc_calendar_register_templates": [
        "tests/test_plugins_cli.py::test_entry_point_template_is_offered_by_init",
        "plugins/pc-calendar-state-templates/tests/test_templates.py"
        "::test_init_lists_them_with_their_descriptions",
    ],
    "pc_calendar_register_backends": [
        "tests/test_plugins_cli.py::test_wrong_type_backend_leaves_plan_commands_working",
        "tests/test_plugins.py::test_duplicate_name_names_both_plugins",
    ],
    "pc_calendar_register_commands": [
        "tests/test_testing_cli.py::test_plugin_command_runs_with_input_and_env",
    ],
    "pc_calendar_decorate_event": [
        "tests/test_render.py::test_decorate_hook_runs_before_the_hash",
    ],
    "pc_calendar_exchange_missed": [
        "tests/exchanges/test_exchange_service.py"
        "::test_missed_notifies_plugins_and_survives_a_broken_one",
        "plugins/pc-calendar-apprise/tests/test_notify.py"
        "::test_recording_a_missed_exchange_notifies",
    ],
    "pc_calendar_exchange_recorded": [
        "tests/exchanges/test_exchange_both_sides.py"
        "::test_every_record_hands_its_receipt_to_notifiers",
        "plugins/pc-calendar-apprise/tests/test_notify.py"
        "::test_receipts_reach_both_parents_not_the_coordinator",
    ],
    "pc_calendar_sync_finished": [
        "tests/sync/test_sync_targets.py"
        "::test_failed_calendar_reported_others_carry_on_secrets_stay_out",
    ],
    "pc_calendar_sync_failed": [
        "tests/sync/test_sync_targets.py"
        "::test_failed_calendar_reported_others_carry_on_secrets_stay_out",
        "plugins/pc-calendar-apprise/tests/test_notify.py::test_sync_failure_reaches_the_coordinator",
    ],
}


def hook_signatures() -> dict[str, str]:
    """Hook name -> ``name(args) -> return`` exactly as written in hookspecs.py."""
    tree = ast.parse(Path(hookspecs.__file__).read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("pc_calendar_"):
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            found[node.name] = f"{node.name}({ast.unparse(node.args)}){returns}"
    return found


SIGNATURES = hook_signatures()


def test_hookspecs_are_found():
    registered = {name for name in dir(hookspecs) if name.startswith("pc_calendar_")}
    assert set(SIGNATURES) == registered
    assert len(SIGNATURES) >= 9


@pytest.mark.parametrize("hook", sorted(SIGNATURES))
def test_hook_is_documented_with_its_exact_signature(hook):
    guide = GUIDE.read_text(encoding="utf-8")
    section = re.search(rf"^### {hook}\n(.*?)(?=^##)", guide, re.M | re.S)
    assert section, f"docs/plugins.md has no '### {hook}' section"
    assert SIGNATURES[hook] in section.group(1), (
        f"the {hook} section must show the signature `{SIGNATURES[hook]}`"
    )


def test_guide_documents_no_unknown_hook():
    headings = re.findall(r"^### (pc_calendar_\w+)$", GUIDE.read_text(encoding="utf-8"), re.M)
    assert sorted(headings) == sorted(SIGNATURES)


def test_every_hook_has_tests_listed():
    assert set(HOOK_TESTS) == set(SIGNATURES)
    assert all(HOOK_TESTS.values())


CASES = [(hook, test_id) for hook, ids in HOOK_TESTS.items() for test_id in ids]


@pytest.mark.parametrize(("hook", "test_id"), CASES)
def test_listed_test_exists_and_exercises_the_hook(hook, test_id):
    path, name = test_id.split("::")
    source_path = ROOT / path
    assert source_path.is_file(), f"{path} does not exist"
    source = source_path.read_text(encoding="utf-8")
    assert re.search(rf"^def {name}\(", source, re.M), f"{path} has no test {name}"
    # The implementation is in the test file, or for an example plugin in its package.
    scope = [source_path]
    if path.startswith("plugins/"):
        scope += sorted((ROOT / "/".join(path.split("/")[:2]) / "src").rglob("*.py"))
    implemented = any(re.search(rf"def {hook}\(", f.read_text(encoding="utf-8")) for f in scope)
    assert implemented, f"neither {path} nor its plugin implements {hook}"
