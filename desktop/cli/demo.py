"""``jamdeck demo``: play the demo jam, in the window or headless."""

from __future__ import annotations

import click

from desktop.cli.common import (
    data_dir_option,
    open_library,
    report_source_failures,
    stopped_by_signals,
)
from desktop.cli.gui import gui


@click.command("demo")
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
    from desktop.app.demo import DemoMissing, start_demo
    from desktop.app.recording import SessionRecording

    with open_library(data_dir) as lib:
        try:
            session, source = start_demo(lib.writer, speed=speed)
        except DemoMissing as exc:
            raise click.ClickException(str(exc)) from None
        recording = SessionRecording(lib.writer, session.id, [source])
        with stopped_by_signals(recording.stop):
            recording.run()
    report_source_failures(recording.errors)
    click.echo(f"Demo jam recorded: {recording.sink.counts.added} posts in session 'demo'.")
