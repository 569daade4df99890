"""``jamdeck quotes``: the quote list, headless (add by filter, list)."""

from __future__ import annotations

from pathlib import Path

import click

from desktop.cli.common import (
    data_dir_option,
    filter_checked,
    open_library,
    open_reader,
    session_named,
)


@click.group("quotes")
def quotes() -> None:
    """The session's quote list (collected posts in sections per question)."""


@quotes.command("add")
@click.argument("session_name")
@click.option(
    "--filter",
    "expr",
    required=True,
    help="Collect every post matching this filter (see `jamdeck filters`).",
)
@data_dir_option
def add_command(session_name: str, expr: str, data_dir: Path | None) -> None:
    """Collect every post of SESSION matching --filter, in time order, each into
    its question's section. Posts already collected stay where they are."""
    from desktop.app.quotes import collect_matching

    with open_library(data_dir) as lib, filter_checked(expr), session_named(session_name):
        collected = collect_matching(lib.writer, lib.reader, session_name, expr)
    click.echo(
        f"Collected {collected.added} posts into the quote list of {session_name!r} "
        f"({collected.total} in all)."
    )


@quotes.command("list")
@click.argument("session_name")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="The list as JSON (like `export --quotes --format json`).",
)
@data_dir_option
def list_command(session_name: str, as_json: bool, data_dir: Path | None) -> None:
    """Show the quote list of SESSION, section by section."""
    from desktop.app.quotes import export_quotes, quote_list

    with open_reader(data_dir) as reader, session_named(session_name):
        if as_json:
            click.echo(export_quotes(reader, session_name, "json"), nl=False)
            return
        listing = quote_list(reader, session_name)
    if not len(listing):
        click.echo(
            f"The quote list of {session_name!r} is empty. Try `jamdeck quotes add {session_name} --filter ...`."
        )
        return
    for section in listing.sections:
        heading = f"{section.title}: {section.text}" if section.text else section.title
        click.echo(heading)
        for position, item in enumerate(section.items, start=1):
            text = " ".join(item.text.split())
            click.echo(f"  {position}. @{item.handle}: {text}")
            if item.note:
                click.echo(f"     note: {item.note}")
            click.echo(f"     {item.url}")
    click.echo(
        f"{_plural(len(listing), 'quote')} in "
        f"{_plural(sum(1 for s in listing.sections if s.items), 'section')}."
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
