"""The ``jamdeck`` command: the window by default, and headless commands.

Every command takes ``--data-dir`` (also ``JAMDECK_DATA_DIR``). Errors a user
can fix (a bad filter, an unknown session, rejected credentials) print one
clear line and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from desktop.cli_options import data_dir_option
from desktop.core import paths

log = logging.getLogger("jamdeck.cli")

EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_SOURCE = 4


def _library(data_dir: Path | None, ctx: click.Context | None = None) -> Path:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    chosen = data_dir or (root.obj or {}).get("data_dir")
    return paths.library_path(chosen)


def _open_writer(data_dir: Path | None):
    from desktop.store.db import SchemaTooNewError, StoreError
    from desktop.store.writer import StoreWriter

    try:
        return StoreWriter(_library(data_dir))
    except SchemaTooNewError as exc:
        raise click.ClickException(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _reader(data_dir: Path | None):
    from desktop.store.db import SchemaTooNewError, StoreError, open_library

    try:
        return open_library(_library(data_dir))
    except (SchemaTooNewError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None


def _session_or_fail(conn, name: str):
    from desktop.store.library import SessionNotFound, get_session

    try:
        return get_session(conn, name)
    except SessionNotFound:
        raise click.ClickException(f"no session named {name!r} (see `jamdeck sessions`)") from None


def _compile_filter(expr: str | None):
    if not expr:
        return "1", []
    from filters import FilterError, compile_sql

    try:
        return compile_sql(expr)
    except FilterError as exc:
        click.echo(f"Error: bad filter: {exc}", err=True)
        click.echo(f"  {expr}", err=True)
        click.echo(f"  {' ' * exc.position}^", err=True)
        sys.exit(EXIT_USAGE)


def _setup_logging(verbose: bool) -> None:
    from desktop.core.logs import setup_logging

    setup_logging(verbose=verbose)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@data_dir_option
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
@click.version_option(package_name="jamdeck")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, verbose: bool) -> None:
    """JamDeck: follow, answer and write up hashtag chats (tweet jams).

    With no command, opens the window.
    """
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    ctx.obj["verbose"] = verbose
    _setup_logging(verbose)
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui)


# --------------------------------------------------------------------------- import


def _ensure_session(writer, name: str, *, hashtags, hosts, title: str = "", sources=()):
    from desktop.store import library

    def op(ctx):
        try:
            session = library.get_session(ctx.conn, name)
        except library.SessionNotFound:
            library.create_session(
                ctx.conn, name, title=title, hashtags=hashtags, hosts=hosts, sources=sources
            )
            return library.get_session(ctx.conn, name)
        changes = {}
        if hashtags:
            changes["hashtags"] = list(session.hashtags) + [
                t for t in hashtags if t.lstrip("#") not in session.hashtags
            ]
        if hosts:
            changes["hosts"] = list(session.hosts) + [
                h for h in hosts if h.lstrip("@") not in session.hosts
            ]
        if changes:
            library.update_session(ctx.conn, session.id, **changes)
            ctx.ingestor.forget_session(session.id)
        return library.get_session(ctx.conn, name)

    return writer.call(op, notify=False)


def _session_exists(writer, name: str) -> bool:
    def op(ctx):
        return (
            ctx.conn.execute("SELECT 1 FROM sessions WHERE name = ?", (name,)).fetchone()
            is not None
        )

    return writer.call(op, notify=False)


def _play(sources, writer, session, *, duration: float | None = None, quiet: bool = False):
    """Run ``sources`` (one or several, each on its own thread) into ``session`` until
    they end, ``duration`` passes, or Ctrl-C. Returns the shared sink."""
    from desktop.app.recording import SessionRecording

    if not isinstance(sources, list | tuple):
        sources = [sources]
    recording = SessionRecording(writer, session.id, list(sources))
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if on_main else None

    def interrupt(_signum, _frame):
        if not quiet:
            click.echo("\nStopping: finishing the batch in flight...", err=True)
        recording.stop()

    if on_main:
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
    deadline = time.monotonic() + duration if duration else None
    recording.start()
    try:
        while recording.running:
            if deadline is not None and time.monotonic() >= deadline:
                recording.stop()
            # Wake often enough for Ctrl-C and the deadline; the work is on the threads.
            recording.stop_event.wait(0.1)
            if recording.stop_event.is_set():
                break
    finally:
        recording.stop()
        recording.wait()
        if on_main:
            signal.signal(signal.SIGINT, previous)
    for name, exc in recording.errors.items():
        click.echo(f"Error: source {name} failed: {type(exc).__name__}: {exc}", err=True)
    return recording.sink


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--session", "session_name", required=True, help="Session to import into (created if new)."
)
@click.option("--hashtag", "hashtags", multiple=True, help="The jam's hashtag (repeatable).")
@click.option("--host", "hosts", multiple=True, help="A host's handle (repeatable).")
@data_dir_option
def import_command(files, session_name, hashtags, hosts, data_dir):
    """Import archive files (JamDeck, twarc v1/v2, X v2, Mastodon, Bluesky JSON/JSONL)."""
    from desktop.sources.replay import ReplaySource

    for f in files:
        if f != "-" and not Path(f).exists():
            raise click.ClickException(f"no such file: {f}")
    sizes = {f: Path(f).stat().st_size for f in files if f != "-"}
    total = sum(sizes.values())
    bar = None
    if total > 5_000_000 and sys.stderr.isatty():
        bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
    done: dict[str, int] = {}

    def progress(path, position: int) -> None:
        done[str(path)] = position
        if bar is not None:
            bar.update(sum(done.values()) - bar.pos)

    source = ReplaySource(list(files), speed=0, on_progress=progress)
    header = source.read_header() or {}
    writer = _open_writer(data_dir)
    try:
        session = _ensure_session(
            writer,
            session_name,
            hashtags=list(hashtags) or header.get("hashtags", []),
            hosts=list(hosts) or header.get("hosts", []),
            title=header.get("title", ""),
            sources=[f"replay:{Path(f).name}" for f in files],
        )
        started = time.perf_counter()
        try:
            sink = _play(source, writer, session, quiet=True)
        finally:
            if bar is not None:
                bar.render_finish()
        elapsed = time.perf_counter() - started
    finally:
        writer.close()
    counts = sink.counts
    rate = (counts.added + counts.updated) / elapsed if elapsed > 0 else 0
    click.echo(
        f"Imported {counts.added} new posts into session {session_name!r} "
        f"({counts.updated} already known, updated; {source.stats.referenced} referenced posts "
        f"kept alongside) in {elapsed:.1f}s ({rate:,.0f} posts/s)."
    )
    if counts.skipped:
        click.echo(f"Skipped {len(counts.skipped)}:")
        for where, reason in counts.skipped[:50]:
            click.echo(f"  {where}: {reason}")
        if len(counts.skipped) > 50:
            click.echo(f"  ... and {len(counts.skipped) - 50} more")
    if counts.failed_batches:
        raise click.ClickException(
            f"{counts.failed_batches} batches could not be written (see the log)"
        )


# --------------------------------------------------------------------------- sessions


@main.command("sessions")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session, as a list.")
@data_dir_option
def sessions_command(as_json, data_dir):
    """List the cached sessions."""
    from desktop.export.posts import iso
    from desktop.store.library import list_sessions

    conn = _reader(data_dir)
    try:
        sessions = list_sessions(conn)
    finally:
        conn.close()
    rows = [
        {
            "name": s.name,
            "title": s.title,
            "posts": s.posts,
            "hashtags": list(s.hashtags),
            "hosts": list(s.hosts),
            "sources": list(s.sources),
            "last_activity": iso(s.last_activity) if s.last_activity else None,
        }
        for s in sessions
    ]
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


# --------------------------------------------------------------------------- export


@main.command("export")
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
@data_dir_option
def export_command(
    session_name, expr, quotes, fmt, output, strip_hashtag, strip_label, times, data_dir
):
    """Export a session's posts (jsonl, csv) or its quote list (--quotes: md, html, csv, json)."""
    conn = _reader(data_dir)
    try:
        session = _session_or_fail(conn, session_name)
        if quotes:
            from desktop.export.quotes import ExportOptions, render
            from desktop.store.quotes import load_quote_list

            if fmt == "jsonl":
                fmt = "md"
            quote_list = load_quote_list(conn, session)
            text = render(
                quote_list,
                fmt,
                options=ExportOptions(
                    strip_hashtag=strip_hashtag, strip_label=strip_label, include_times=times
                ),
            )
            _write_text(output, text)
            return
        if fmt not in ("jsonl", "csv"):
            raise click.ClickException(
                "posts export as jsonl or csv; use --quotes for md, html, json"
            )
        where, params = _compile_filter(expr)
        from desktop.export.posts import to_rows, write_csv, write_jsonl
        from desktop.store.library import post_records

        rows = to_rows(post_records(conn, session.id, where, params))
        writer = write_csv if fmt == "csv" else write_jsonl
        if output == "-":
            writer(rows, sys.stdout)
        else:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = writer(rows, out)
            click.echo(f"Wrote {count} posts to {output}", err=True)
    finally:
        conn.close()


def _write_text(output: str, text: str) -> None:
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@main.command("filters")
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
        click.echo(f"Error: bad filter: {exc}", err=True)
        click.echo(f"  {expression}", err=True)
        click.echo(f"  {' ' * exc.position}^", err=True)
        sys.exit(EXIT_USAGE)


# --------------------------------------------------------------------------- record


@main.command("record")
@click.option(
    "--source",
    "specs",
    multiple=True,
    required=True,
    help="replay:FILE, x, mastodon or bluesky; repeat it to follow several networks at once.",
)
@click.option("--session", "session_name", required=True)
@click.option("--hashtag", "hashtags", multiple=True, required=True)
@click.option("--host", "hosts", multiple=True)
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
@click.option("--instance", default=None, help="Mastodon: the instance URL.")
@click.option("--service", default=None, help="Bluesky: the PDS URL (default https://bsky.social).")
@click.option("--mode", type=click.Choice(["stream", "poll"]), default=None, help="Stream or poll.")
@click.option(
    "--speed", type=float, default=0.0, help="replay: N× the original pace (0 = fastest)."
)
@data_dir_option
def record_command(
    specs, session_name, hashtags, hosts, duration, instance, service, mode, speed, data_dir
):
    """Record sources into a session, headless, until Ctrl-C or --duration.

    Repeat --source to follow several networks (or instances, as
    mastodon:https://instance.example) in one session.
    """
    from desktop.core.credentials import CredentialStore
    from desktop.sources.base import SourceAuthError, SourceError, SourceState
    from desktop.sources.registry import NEW_SESSION_LOOKBACK, UnknownSource, make_source

    options = {
        k: v for k, v in {"instance": instance, "service": service, "mode": mode}.items() if v
    }
    credentials = CredentialStore()
    writer = _open_writer(data_dir)
    try:
        existed = _session_exists(writer, session_name)
        session = _ensure_session(
            writer, session_name, hashtags=list(hashtags), hosts=list(hosts), sources=list(specs)
        )
        # Catch up on what was posted before recording began: since the session's
        # start, or the last 30 minutes for a new session.
        if existed:
            since = datetime.fromtimestamp(session.started_at or session.created_at, UTC)
        else:
            since = datetime.now(UTC) - NEW_SESSION_LOOKBACK
        sources = []
        for spec in specs:
            try:
                sources.append(
                    make_source(
                        spec,
                        hashtags=[t.lstrip("#") for t in hashtags],
                        since=since,
                        options=options,
                        credentials=credentials,
                        speed=speed,
                    )
                )
            except UnknownSource as exc:
                raise click.UsageError(str(exc)) from None
            except SourceAuthError as exc:
                click.echo(f"Error: {spec}: credentials rejected or missing: {exc}", err=True)
                sys.exit(EXIT_AUTH)
            except (SourceError, ValueError) as exc:
                click.echo(f"Error: {spec}: {exc}", err=True)
                sys.exit(EXIT_SOURCE)
        click.echo(f"Recording {', '.join(specs)} into {session_name!r}; Ctrl-C stops.", err=True)
        sink = _play(sources, writer, session, duration=duration)
    finally:
        writer.close()
    click.echo(f"Recorded {sink.counts.added} new posts ({sink.counts.updated} updated).", err=True)
    for where, reason in sink.counts.skipped[:20]:
        click.echo(f"  skipped {where}: {reason}", err=True)
    stopped = [s for s in sink.statuses.values() if s.state == SourceState.STOPPED]
    for status in stopped:
        click.echo(f"Error: {status.message}", err=True)
    if stopped:
        sys.exit(EXIT_AUTH if any(s.auth_failed for s in stopped) else EXIT_SOURCE)


# --------------------------------------------------------------------------- demo / gui


def demo_archive_path() -> Path:
    from desktop.core.resources import resource_path

    return resource_path("demo", "demo_jam.jsonl")


@main.command("demo")
@click.option(
    "--speed",
    type=float,
    default=10.0,
    show_default=True,
    help="N× the jam's real pace (0 = all at once).",
)
@click.option(
    "--headless", is_flag=True, help="Record the demo jam into the library without a window."
)
@data_dir_option
def demo_command(speed, headless, data_dir):
    """Play the demo jam (the embedded default) into the session "demo"."""
    if not headless:
        ctx = click.get_current_context()
        ctx.invoke(gui, demo=True, speed=speed, data_dir=data_dir)
        return
    from desktop.sources.replay import ReplaySource

    source = ReplaySource([demo_archive_path()], speed=speed)
    header = source.read_header() or {}
    writer = _open_writer(data_dir)
    try:
        _reset_demo_session(writer)
        session = _ensure_session(
            writer,
            "demo",
            hashtags=header.get("hashtags", []),
            hosts=header.get("hosts", []),
            title=header.get("title", "Demo jam"),
            sources=["replay:demo"],
        )
        sink = _play(source, writer, session)
    finally:
        writer.close()
    click.echo(f"Demo jam recorded: {sink.counts.added} posts in session 'demo'.")


def _reset_demo_session(writer) -> None:
    """The demo replays from the start each time: a fresh "demo" session."""
    from desktop.store import library

    def op(ctx):
        try:
            session = library.get_session(ctx.conn, "demo")
        except library.SessionNotFound:
            return None
        library.delete_session(ctx.conn, session.id)
        ctx.ingestor.forget_session(session.id)
        return None

    writer.call(op, notify=False)


@main.command("gui")
@click.option("--session", "session_name", default=None, help="Open this session.")
@click.option(
    "--screenshot", type=click.Path(dir_okay=False), default=None, help="Write a PNG of the window."
)
@click.option("--quit-after", type=float, default=None, help="Quit after this many seconds.")
@click.option("--size", default="1400x900", show_default=True, help="Window size WxH.")
@click.option("--theme", type=click.Choice(["system", "light", "dark"]), default="system")
@data_dir_option
@click.pass_context
def gui(
    ctx,
    session_name=None,
    screenshot=None,
    quit_after=None,
    size="1400x900",
    theme="system",
    data_dir=None,
    demo=False,
    speed=10.0,
):
    """Open the window."""
    headless = not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ) and sys.platform.startswith("linux")
    if screenshot and headless:
        # Rendering a screenshot needs no screen: use Qt's offscreen platform.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from desktop.ui.app import run_app
    except ImportError as exc:  # pragma: no cover - a broken Qt install
        raise click.ClickException(f"the window needs PySide6: {exc}") from None
    width, _, height = size.partition("x")
    code = run_app(
        library=_library(data_dir, ctx),
        session_name=session_name,
        screenshot=screenshot,
        quit_after=quit_after,
        size=(int(width), int(height or 900)),
        theme=theme,
        demo=demo,
        demo_speed=speed,
    )
    sys.exit(code)


def _register_subgroups() -> None:
    from desktop.cli_quotes import quotes

    main.add_command(quotes)


_register_subgroups()

if __name__ == "__main__":  # pragma: no cover
    main()
