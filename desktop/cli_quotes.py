"""``jamdeck quotes``: the quote list, headless (add by filter, list).

Registered on the main group by ``desktop.cli`` (``main.add_command(quotes)``).
The helpers of ``desktop.cli`` are imported when a command runs, so the two
modules can import each other in either order.
"""

from __future__ import annotations

from pathlib import Path

import click

from desktop.cli_options import data_dir_option


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
    from desktop import cli
    from desktop.store import quotes as quote_store

    where, params = cli._compile_filter(expr)
    conn = cli._reader(data_dir)
    try:
        session = cli._session_or_fail(conn, session_name)
    finally:
        conn.close()
    writer = cli._open_writer(data_dir)
    try:
        changed = writer.call(
            lambda ctx: quote_store.collect_matching(ctx.conn, session.id, where, params)
        )
        total = writer.call(
            lambda ctx: len(quote_store.collected_rowids(ctx.conn, session.id)), notify=False
        )
    finally:
        writer.close()
    click.echo(
        f"Collected {changed.added} posts into the quote list of {session_name!r} ({total} in all)."
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
    from desktop import cli
    from desktop.export.quotes import render
    from desktop.store.quotes import load_quote_list

    conn = cli._reader(data_dir)
    try:
        session = cli._session_or_fail(conn, session_name)
        quote_list = load_quote_list(conn, session)
    finally:
        conn.close()
    if as_json:
        click.echo(render(quote_list, "json"), nl=False)
        return
    if not len(quote_list):
        click.echo(
            f"The quote list of {session_name!r} is empty. Try `jamdeck quotes add {session_name} --filter ...`."
        )
        return
    for section in quote_list.sections:
        heading = f"{section.title}: {section.text}" if section.text else section.title
        click.echo(heading)
        for position, item in enumerate(section.items, start=1):
            text = " ".join(item.text.split())
            click.echo(f"  {position}. @{item.handle}: {text}")
            if item.note:
                click.echo(f"     note: {item.note}")
            click.echo(f"     {item.url}")
    click.echo(
        f"{_plural(len(quote_list), 'quote')} in "
        f"{_plural(sum(1 for s in quote_list.sections if s.items), 'section')}."
    )


__all__ = ["quotes"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
