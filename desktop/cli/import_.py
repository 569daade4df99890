"""``jamdeck import``: archive files into a session."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from desktop.cli.common import (
    data_dir_option,
    open_library,
    report_source_failures,
    stopped_by_signals,
)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--session", "session_name", required=True, help="Session to import into (created if new)."
)
@click.option("--hashtag", "hashtags", multiple=True, help="The jam's hashtag (repeatable).")
@click.option("--host", "hosts", multiple=True, help="A host's handle (repeatable).")
@data_dir_option
def import_command(files, session_name, hashtags, hosts, data_dir):
    """Import archive files (JamDeck, twarc v1/v2, X v2, Mastodon, Bluesky JSON/JSONL)."""
    from desktop.app.importing import prepare_import

    for f in files:
        if f != "-" and not Path(f).exists():
            raise click.ClickException(f"no such file: {f}")
    total = sum(Path(f).stat().st_size for f in files if f != "-")
    bar = None
    if total > 5_000_000 and sys.stderr.isatty():
        bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
    done: dict[str, int] = {}

    def progress(path, position: int) -> None:
        done[str(path)] = position
        if bar is not None:
            bar.update(sum(done.values()) - bar.pos)

    with open_library(data_dir) as lib:
        try:
            # Reads the first file's header: a pipe or FIFO may keep it waiting for
            # its writer, until Ctrl-C.
            job = prepare_import(
                lib.writer,
                files,
                session_name,
                hashtags=hashtags,
                hosts=hosts,
                on_progress=progress,
            )
        except KeyboardInterrupt:
            raise click.ClickException("stopped before anything was imported") from None
        try:
            with stopped_by_signals(job.recording.stop, quiet=True):
                report = job.run()
        finally:
            if bar is not None:
                bar.render_finish()
    report_source_failures(report.errors)
    counts = report.counts
    if report.imported_nothing:
        _report_skipped(counts.skipped, err=True)
        outcome = (
            "no session was created"
            if report.session_removed
            else f"session {session_name!r} is unchanged"
        )
        why = "" if counts.skipped else " (no post in any line)"
        raise click.ClickException(
            f"nothing imported from {', '.join(map(str, files))}{why}: {outcome}."
        )
    click.echo(
        f"Imported {counts.added} new posts into session {session_name!r} "
        f"({counts.updated} already known, updated; {report.referenced} referenced posts "
        f"kept alongside) in {report.elapsed:.1f}s ({report.rate:,.0f} posts/s)."
    )
    _report_skipped(counts.skipped)
    if job.recording.sink.fatal is not None:  # the library stopped taking posts (a full disk)
        raise click.ClickException(f"import stopped: {job.recording.sink.fatal}")
    if counts.failed_batches:
        raise click.ClickException(
            f"{counts.failed_batches} batches could not be written (see the log)"
        )


def _report_skipped(skipped: list[tuple[str, str]], *, err: bool = False) -> None:
    if not skipped:
        return
    click.echo(f"Skipped {len(skipped)}:", err=err)
    for where, reason in skipped[:50]:
        click.echo(f"  {where}: {reason}", err=err)
    if len(skipped) > 50:
        click.echo(f"  ... and {len(skipped) - 50} more", err=err)
