"""``jamdeck record``: record sources into a session, headless."""

from __future__ import annotations

import sys

import click

from desktop.cli.common import (
    EXIT_AUTH,
    EXIT_SOURCE,
    data_dir_option,
    open_library,
    report_source_failures,
    stopped_by_signals,
)


@click.command("record")
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
    from desktop.app.accounts import AccountContext
    from desktop.app.record import (
        SourceSetupError,
        UnknownSource,
        finish_failed_run,
        prepare_recording,
        stopped_statuses,
        unreached_sources,
    )
    from desktop.app.source_specs import RegistrySources

    options = {
        k: v for k, v in {"instance": instance, "service": service, "mode": mode}.items() if v
    }
    factory = RegistrySources(AccountContext(), options=options, speed=speed)
    with open_library(data_dir) as lib:
        try:
            recording = prepare_recording(
                lib.writer, session_name, specs, hashtags=hashtags, hosts=hosts, factory=factory
            )
        except UnknownSource as exc:
            raise click.UsageError(str(exc)) from None
        except SourceSetupError as exc:
            if exc.auth_failed:
                click.echo(f"Error: {exc.spec}: credentials rejected or missing: {exc}", err=True)
                sys.exit(EXIT_AUTH)
            click.echo(f"Error: {exc.spec}: {exc}", err=True)
            sys.exit(EXIT_SOURCE)
        click.echo(f"Recording {', '.join(specs)} into {session_name!r}; Ctrl-C stops.", err=True)
        with stopped_by_signals(recording.stop):
            recording.run(duration=duration)
        report_source_failures(recording.errors)
        counts = recording.sink.counts
        click.echo(f"Recorded {counts.added} new posts ({counts.updated} updated).", err=True)
        for where, reason in counts.skipped[:20]:
            click.echo(f"  skipped {where}: {reason}", err=True)
        stopped = stopped_statuses(recording)
        for status in stopped:
            click.echo(f"Error: {status.message}", err=True)
        unreached = unreached_sources(recording)
        for name, why in unreached.items():
            click.echo(f"Error: {name}: never reached the network: {why}", err=True)
        failed = (
            bool(stopped or unreached or recording.errors)
            or recording.sink.fatal is not None
            or counts.failed_batches > 0
        )
        if failed and finish_failed_run(recording):
            click.echo(f"Nothing was recorded: session {session_name!r} removed.", err=True)
    if stopped:
        sys.exit(EXIT_AUTH if any(s.auth_failed for s in stopped) else EXIT_SOURCE)
    if unreached or recording.errors:
        sys.exit(EXIT_SOURCE)
    if recording.sink.fatal is not None:  # the library stopped taking posts (a full disk)
        raise click.ClickException(f"recording stopped: {recording.sink.fatal}")
    if counts.failed_batches:
        raise click.ClickException(
            f"{counts.failed_batches} batches could not be written (see the log)"
        )
