"""``jamdeck export``: a session's posts (jsonl, csv) or its quote list (md, html, csv, json)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from desktop.cli.common import data_dir_option, filter_checked, open_reader, session_named


@click.command("export")
@click.argument("session_name")
@click.option("--filter", "expr", default=None, help="Filter expression (see `jamdeck filters`).")
@click.option("--quotes", is_flag=True, help="Export the quote list instead of the posts.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "md", "html", "json"]),
    default="jsonl",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
@click.option("--strip-hashtag", is_flag=True, help="Quotes: drop the jam hashtag from the text.")
@click.option("--strip-label", is_flag=True, help='Quotes: drop the "A3:" answer label.')
@click.option("--times", is_flag=True, help="Quotes: include each post's time.")
@click.option(
    "--notes", is_flag=True, help="Quotes: include your private notes (left out by default)."
)
@data_dir_option
def export_command(
    session_name, expr, quotes, fmt, output, strip_hashtag, strip_label, times, notes, data_dir
):
    """Export a session's posts (jsonl, csv) or its quote list (--quotes: md, html, csv, json)."""
    from desktop.app.exporting import POST_FORMATS, post_rows, write_posts
    from desktop.app.quotes import ExportOptions, export_quotes

    with open_reader(data_dir) as reader, session_named(session_name):
        if quotes:
            options = ExportOptions(
                strip_hashtag=strip_hashtag,
                strip_label=strip_label,
                include_times=times,
                include_notes=notes,
            )
            text = export_quotes(
                reader, session_name, "md" if fmt == "jsonl" else fmt, options=options
            )
            _write_text(output, text)
            return
        with filter_checked(expr):
            rows = post_rows(reader, session_name, expr)
        if fmt not in POST_FORMATS:
            raise click.ClickException(
                "posts export as jsonl or csv; use --quotes for md, html, json"
            )
        if output == "-":
            write_posts(rows, sys.stdout, fmt=fmt)
        else:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = write_posts(rows, out, fmt=fmt)
            click.echo(f"Wrote {count} posts to {output}", err=True)


def _write_text(output: str, text: str) -> None:
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
