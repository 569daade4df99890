"""``jamdeck sessions``: list the cached sessions."""

from __future__ import annotations

import json

import click

from desktop.cli.common import data_dir_option, open_reader


@click.command("sessions")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session, as a list.")
@data_dir_option
def sessions_command(as_json, data_dir):
    """List the cached sessions."""
    from desktop.app.exporting import session_rows

    with open_reader(data_dir) as reader:
        rows = session_rows(reader)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No sessions yet. Try `jamdeck demo` or `jamdeck import FILE --session NAME`.")
        return
    width = max(len(r["name"]) for r in rows)
    click.echo(f"{'NAME':<{width}}  {'POSTS':>7}  {'HASHTAGS':<20}  LAST ACTIVITY")
    for r in rows:
        tags = " ".join("#" + t for t in r["hashtags"])
        click.echo(
            f"{r['name']:<{width}}  {r['posts']:>7}  {tags:<20}  {r['last_activity'] or '-'}"
        )
