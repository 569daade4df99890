"""``jamdeck report``: a session's jam report as HTML, Markdown or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from desktop.cli.common import data_dir_option, open_reader, session_named


@click.command("report")
@click.argument("session_name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "json"]),
    default="html",
    show_default=True,
    help="html: the recap and the full transcript in one page; md: the recap, "
    "charts as PNG files beside it; json: the figures.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@data_dir_option
def report_command(session_name, fmt, output, data_dir):
    """Write the jam report of a session: stats, charts, each question, top participants."""
    from desktop.app.report import write_report

    with open_reader(data_dir) as reader, session_named(session_name):
        if output == "-":
            written = write_report(reader, session_name, fmt, sys.stdout)
            if fmt == "md":
                click.echo("(no chart files when writing to stdout: use -o FILE.md)", err=True)
            return
        path = Path(output)
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            written = write_report(
                reader, session_name, fmt, out, charts_dir=path.parent, charts_stem=path.stem
            )
    for chart in written:
        click.echo(f"Wrote {chart}", err=True)
    click.echo(f"Wrote {output}", err=True)
