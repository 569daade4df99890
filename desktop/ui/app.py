"""The application entry: ``jamdeck`` / ``jamdeck gui`` / ``jamdeck demo`` land here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop.app.settings import Settings
from desktop.core import logs
from desktop.store.library import SessionNotFound
from desktop.ui import system_libraries
from desktop.ui import theme as themes
from desktop.ui.main_window import MainWindow

log = logging.getLogger("jamdeck.ui.app")


def apply_app_theme(app: QApplication, theme: themes.Theme) -> None:
    app.setStyle("Fusion")  # the same look on every platform, and offscreen
    app.setPalette(themes.palette(theme))


def save_screenshot(window: MainWindow, path: str | Path) -> bool:
    """Paint the window as it is now into a PNG."""
    window.deck.load_all_first_pages()
    QApplication.processEvents()
    return window.grab().save(str(path))


def _precise_single_shot(parent, msec: int, slot) -> QTimer:
    # QTimer.singleShot's coarse timers may drift 5%: never let a shot miss its time.
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(slot)
    timer.start(msec)
    return timer


def run_app(
    *,
    library: Path,
    session_name: str | None = None,
    screenshot: str | None = None,
    quit_after: float | None = None,
    size: tuple[int, int] = (1400, 900),
    theme: str = "system",
    demo: bool = False,
    demo_speed: float | None = None,
) -> int:
    """The window until it closes. ``theme`` "system" and ``demo_speed`` None follow
    the Preferences, as avatar_cache, media_previews, pause_on_hover and log_level always do."""
    if QApplication.instance() is None and system_libraries.uses_xcb():
        missing = system_libraries.missing_packages()
        if missing:  # Qt would abort with a message that names the wrong library
            print(f"jamdeck: {system_libraries.missing_message(missing)}", file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("JamDeck")
    app.setOrganizationName("JamDeck")
    settings = Settings.load()
    logs.set_file_level(settings.get("log_level"))  # the file set up by the CLI, if any
    if theme == "system":
        theme = settings.get("theme")  # the preferences' choice ("system" unless the user chose)
    chosen = themes.resolve(theme)
    apply_app_theme(app, chosen)
    # avatars and media previews: the settings
    window = MainWindow(Path(library), theme=chosen, avatars=None, media=None)
    if demo_speed is not None:  # the CLI's --speed, else the setting (read by the window)
        window.demo_speed = demo_speed  # the first-run panel's "Play the demo jam" too
    app.setWindowIcon(window.windowIcon())
    window.resize(*size)

    if theme == "system":

        def follow_system(_scheme=None) -> None:
            now = themes.resolve("system")
            apply_app_theme(app, now)
            window.apply_theme(now)

        app.styleHints().colorSchemeChanged.connect(follow_system)

    try:
        if demo:
            if window.start_demo(speed=window.demo_speed) is None:
                print(f"jamdeck: {window.notice_label.text()}", file=sys.stderr)
                window.shutdown()
                return 1
        elif session_name:
            window.open_session(session_name)
        else:
            window.open_most_recent()
    except SessionNotFound:
        print(
            f"jamdeck: no session named {session_name!r} (see `jamdeck sessions`)", file=sys.stderr
        )
        window.shutdown()
        return 2

    window.show()
    result = {"code": 0}

    def shoot_and_maybe_quit() -> None:
        if not save_screenshot(window, screenshot):
            print(f"jamdeck: could not write {screenshot}", file=sys.stderr)
            result["code"] = 1
        app.quit()

    if screenshot:
        # With --quit-after the picture is taken at that time, then the app quits (a
        # demo has posts by then); without it, as soon as the first pages are painted.
        # One timer for both, so the picture can never lose a race with the quit.
        delay = int(quit_after * 1000) if quit_after is not None else 100
        _precise_single_shot(app, delay, shoot_and_maybe_quit)
    elif quit_after is not None:
        _precise_single_shot(app, int(quit_after * 1000), app.quit)
    code = app.exec()
    window.shutdown()
    window.deleteLater()
    return code or result["code"]
