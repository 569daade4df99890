"""``jamdeck gui``: open the window (also what ``jamdeck`` alone does)."""

from __future__ import annotations

import os
import sys

import click

from desktop.cli.common import data_dir_option, library_file


@click.command("gui")
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
    speed=None,
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
        library=library_file(data_dir, ctx),
        session_name=session_name,
        screenshot=screenshot,
        quit_after=quit_after,
        size=(int(width), int(height or 900)),
        theme=theme,
        demo=demo,
        demo_speed=speed,
    )
    sys.exit(code)
