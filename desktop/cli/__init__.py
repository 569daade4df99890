"""The ``jamdeck`` command: the window by default, and headless commands.

Every command takes ``--data-dir`` (also ``JAMDECK_DATA_DIR``). Errors a user
can fix (a bad filter, an unknown session, rejected credentials) print one
clear line and exit non-zero; they never show a traceback.

Each command is a thin front end over ``desktop.app``: it parses its options,
calls the application services, and prints what they return. The commands
live one module per command or group; this module is the main group.
"""

from __future__ import annotations

from pathlib import Path

import click

from desktop.cli import demo, export, filters, gui, import_, quotes, record, report, sessions
from desktop.cli.common import EXIT_AUTH, EXIT_SOURCE, EXIT_USAGE, data_dir_option

__all__ = ["EXIT_AUTH", "EXIT_SOURCE", "EXIT_USAGE", "main"]


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@data_dir_option
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
@click.version_option(package_name="jamdeck")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, verbose: bool) -> None:
    """JamDeck: follow, answer and write up hashtag chats (tweet jams).

    With no command, opens the window.
    """
    from desktop.app.settings import Settings
    from desktop.core.logs import setup_logging

    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    ctx.obj["verbose"] = verbose
    setup_logging(verbose=verbose, file_level=Settings.load().get("log_level"))
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui.gui)


main.add_command(import_.import_command)
main.add_command(sessions.sessions_command)
main.add_command(export.export_command)
main.add_command(filters.filters_command)
main.add_command(record.record_command)
main.add_command(demo.demo_command)
main.add_command(gui.gui)
main.add_command(quotes.quotes)
main.add_command(report.report_command)
