"""What every ``jamdeck`` command shares: the data-dir option, opening the library
with one clear line on failure, the bad-filter message, exit codes, and stopping
a recording on Ctrl-C.

A command module imports this, never ``desktop.cli`` itself, so the command
modules and the main group can be imported in any order. The application
services are imported when a command runs: ``jamdeck --help`` stays quick.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from desktop.app.library import Library

EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_SOURCE = 4


def data_dir_option(f):
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Directory of the library (default: JAMDECK_DATA_DIR or the platform's data dir).",
    )(f)


def chosen_data_dir(data_dir: Path | None, ctx: click.Context | None = None) -> Path | None:
    """The command's ``--data-dir``, else the main group's, else None (the default)."""
    ctx = ctx or click.get_current_context()
    return data_dir or (ctx.find_root().obj or {}).get("data_dir")


def library_file(data_dir: Path | None, ctx: click.Context | None = None) -> Path:
    from desktop.app.library import library_path

    return library_path(chosen_data_dir(data_dir, ctx))


def open_library(data_dir: Path | None) -> Library:
    """The library for writing and reading (use as a context manager)."""
    from desktop.app.library import Library, LibraryError

    try:
        return Library.open(chosen_data_dir(data_dir))
    except LibraryError as exc:
        raise click.ClickException(str(exc)) from None


def open_reader(data_dir: Path | None) -> contextlib.closing[sqlite3.Connection]:
    """A read connection, for the commands that only read (use as a context manager)."""
    from desktop.app.library import LibraryError
    from desktop.app.library import open_reader as app_open_reader

    try:
        return contextlib.closing(app_open_reader(chosen_data_dir(data_dir)))
    except LibraryError as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.contextmanager
def session_named(name: str) -> Iterator[None]:
    """Turn ``SessionNotFound`` into the one line that says what to do."""
    from desktop.app.sessions import SessionNotFound

    try:
        yield
    except SessionNotFound:
        raise click.ClickException(f"no session named {name!r} (see `jamdeck sessions`)") from None


def bad_filter(expr: str, exc) -> NoReturn:
    """Say where the filter ``expr`` went wrong (a caret under the position); exit 2."""
    click.echo(f"Error: bad filter: {exc}", err=True)
    click.echo(f"  {expr}", err=True)
    click.echo(f"  {' ' * exc.position}^", err=True)
    sys.exit(EXIT_USAGE)


@contextlib.contextmanager
def filter_checked(expr: str | None) -> Iterator[None]:
    """Turn a ``FilterError`` from the block into ``bad_filter``."""
    from filters import FilterError

    try:
        yield
    except FilterError as exc:
        bad_filter(expr or "", exc)


@contextlib.contextmanager
def stopped_by_signals(stop: Callable[[], None], *, quiet: bool = False) -> Iterator[None]:
    """Ctrl-C and SIGTERM call ``stop`` (the batch in flight is finished, not lost)
    while the block runs. Signals reach only the main thread; elsewhere, a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum, _frame):
        if not quiet:
            click.echo("\nStopping: finishing the batch in flight...", err=True)
        stop()

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def report_source_failures(errors: Mapping[str, BaseException]) -> None:
    """Each source that raised (a bug, not a network's answer), by name: one line each."""
    for name, exc in errors.items():
        click.echo(f"Error: source {name} failed: {type(exc).__name__}: {exc}", err=True)
