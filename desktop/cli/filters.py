"""``jamdeck filters``: explain an expression, or list every operator."""

from __future__ import annotations

import click

from desktop.cli.common import bad_filter, data_dir_option


@click.command("filters")
@click.argument("expression", required=False)
@data_dir_option
def filters_command(expression, data_dir):
    """Explain EXPRESSION, or list every filter operator with an example."""
    from filters import FilterError, explain, help_text

    if not expression:
        click.echo(help_text())
        return
    try:
        click.echo(explain(expression))
    except FilterError as exc:
        bad_filter(expression, exc)
