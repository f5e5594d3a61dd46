"""``pc-calendar init``: templates listed, written atomically, never clobbering a plan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pc_calendar import cli as cli_module
from pc_calendar.cli import init_cmd
from pc_calendar.errors import UserError
from pc_calendar.plan.load import load_plan
from pc_calendar.plugins import templates

TEMPLATES = (
    "2-2-3",
    "2-2-5-5",
    "3-4-4-3",
    "alternating-weeks",
    "custom-days",
    "every-other-weekend",
    "step-up-young-children",
    "texas-spo",
)


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    cli_module._load_commands()
    return CliRunner()


def run(runner: CliRunner, *args: str):
    return runner.invoke(cli_module.cli, ["init", *args], catch_exceptions=True)


def test_list_shows_every_template_with_its_description(runner):
    result = run(runner, "--list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == sorted(names)
    assert set(TEMPLATES) <= set(names)  # installed plugins may add more
    spo = next(line for line in lines if line.startswith("texas-spo"))
    assert "Texas Standard Possession Order" in spo


def test_writes_the_template_text_and_it_loads(runner, tmp_path):
    target = tmp_path / "plan.toml"
    result = run(runner, "--template", "texas-spo", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == templates()["texas-spo"][1]
    assert load_plan(target).family.id == "lindqvist-okafor"
    assert "pc-calendar check" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["plan.toml"]  # no temp file left


def test_written_file_has_ordinary_permissions(runner, tmp_path):
    target = tmp_path / "plan.toml"
    assert run(runner, "-t", "2-2-3", str(target)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_refuses_to_overwrite_without_force(runner, tmp_path):
    target = tmp_path / "plan.toml"
    target.write_text("# my edited plan\n", encoding="utf-8")
    result = run(runner, "--template", "2-2-3", str(target))
    assert result.exit_code != 0
    assert isinstance(result.exception, UserError)
    assert "already exists" in result.exception.render()
    assert "--force" in result.exception.render()
    assert target.read_text(encoding="utf-8") == "# my edited plan\n"

    result = run(runner, "--template", "2-2-3", "--force", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == templates()["2-2-3"][1]


def test_unknown_template_lists_the_names(runner, tmp_path):
    result = run(runner, "--template", "2-2-2", str(tmp_path / "plan.toml"))
    assert isinstance(result.exception, UserError)
    message = result.exception.render()
    assert "unknown template '2-2-2'" in message
    for name in TEMPLATES:
        assert name in message
    assert not (tmp_path / "plan.toml").exists()


def test_main_prints_user_errors_without_traceback_and_exits_2(tmp_path, capsys):
    target = tmp_path / "plan.toml"
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(["init", "--template", "nope", str(target)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --template: unknown template 'nope'")
    assert "Traceback" not in err
    assert not target.exists()


def test_main_writes_a_plan(tmp_path, capsys):
    target = tmp_path / "eow.toml"
    cli_module.main(["init", "--template", "every-other-weekend", str(target)])
    assert "wrote" in capsys.readouterr().out
    assert load_plan(target).rotation.pattern == "every_other_weekend"


def test_missing_arguments(runner, tmp_path):
    result = run(runner, str(tmp_path / "plan.toml"))
    assert isinstance(result.exception, UserError)
    assert "which template?" in result.exception.render()
    result = run(runner, "--template", "2-2-3")
    assert isinstance(result.exception, UserError)
    assert "PLAN.toml" in result.exception.render()


def test_missing_folder_and_folder_target(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        init_cmd.write_new_file(tmp_path / "no" / "plan.toml", "x", force=False)
    with pytest.raises(UserError, match="is a folder"):
        init_cmd.write_new_file(tmp_path, "x", force=True)


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "plan.toml"
    target.write_text("old\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    from pc_calendar import fileio

    monkeypatch.setattr(fileio.os, "replace", broken_replace)
    with pytest.raises(UserError, match="No space left on device"):
        init_cmd.write_new_file(target, "new\n", force=True)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]


def test_template_files_are_package_data():
    folder = Path(init_cmd.__file__).parents[1] / "templates"
    assert sorted(p.stem for p in folder.glob("*.toml")) == sorted(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_written_template_passes_check_strict(name, tmp_path, capsys):
    """What init writes passes `pc-calendar check --strict`: valid and no lint warnings."""
    pytest.importorskip("pc_calendar.cli.check")
    target = tmp_path / f"{name}.toml"
    cli_module.main(["init", "--template", name, str(target)])
    capsys.readouterr()
    try:
        cli_module.main(["check", "--strict", str(target)])
    except SystemExit as exc:
        pytest.fail(f"check exited {exc.code}: {capsys.readouterr()}")
    assert "OK" in capsys.readouterr().out
