"""Every command is documented: in the README and in its own --help."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from desktop.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "jamdeck"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def test_every_command_is_in_the_readme():
    missing = [name for name, _ in commands(main) if f"`{name}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_command_has_help_and_data_dir():
    runner = CliRunner()
    for name, command in commands(main):
        args = name.split()[1:]
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert command.help, f"{name} has no help text"
        if not isinstance(command, click.Group):
            assert "--data-dir" in result.output, f"{name} does not take --data-dir"
