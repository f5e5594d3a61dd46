"""The CLI uses no click API that click deprecates (click 9 removes them).

Click 8.5 deprecates ``click.utils.make_default_short_help`` and others; a deprecation
warning here is a command that stops working with the next major click.
"""

from __future__ import annotations

import warnings

from click.testing import CliRunner

from pc_calendar.cli import cli


def test_help_and_a_mistyped_command_use_no_deprecated_click_api():
    runner = CliRunner()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        listing = runner.invoke(cli, ["--help"])
        mistyped = runner.invoke(cli, ["exprot"])
    assert listing.exit_code == 0, listing.output
    assert "  check " in listing.output
    assert mistyped.exit_code == 2
    assert "No such command 'exprot'. Did you mean 'export'?" in mistyped.output
