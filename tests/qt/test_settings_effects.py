"""Every setting in Preferences does what it says: one test per setting, through Save.

Each test changes a setting in the Preferences dialog of a real window, clicks
Save, and looks at the thing the setting says it changes. The settings read at
start-up are also checked from a settings file written before the window opens.
"""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

from desktop.app.accounts import AccountContext
from desktop.app.settings import SCHEMA, Settings
from desktop.app.source_specs import RegistrySources
from desktop.core import logs
from desktop.core.credentials import CredentialStore
from desktop.core.session import Session
from desktop.ui import theme as themes
from tests.fakes.posts import make_post
from tests.qt.conftest import create_jam_session, ingest

EFFECT_TESTS = {
    "theme": "test_theme_recolours_the_window",
    "column_width": "test_column_width_is_the_width_of_a_new_column",
    "pause_on_hover": "test_pause_on_hover_off_lets_posts_in_under_the_pointer",
    "x_poll_interval": "test_poll_intervals_reach_the_adapters",
    "mastodon_poll_interval": "test_poll_intervals_reach_the_adapters",
    "demo_speed": "test_demo_speed_is_the_speed_of_the_menus_demo",
    "avatar_cache": "test_avatar_cache_switches_the_avatar_loader",
    "media_previews": "test_media_previews_switch_the_pictures_under_posts",
    "log_level": "test_log_level_is_the_detail_of_the_log_file",
    "bluesky_jetstream_url": "test_bluesky_jetstream_url_is_where_the_source_follows",
    "bluesky_appview": "test_bluesky_appview_is_where_the_source_looks_up_authors",
}


def test_every_setting_has_a_test_of_its_effect():
    assert set(EFFECT_TESTS) == {s.name for s in SCHEMA}
    assert all(name in globals() for name in EFFECT_TESTS.values())


def opened_window(make_window):
    window = make_window()
    create_jam_session(window)
    window.open_session("jam")
    window.show()
    return window


def save_preferences(qtbot, window, **values) -> list:
    """Open Preferences from the window, set ``values`` in its editors, click Save."""
    dialog = window.menu.on_preferences()
    for name, value in values.items():
        editor = dialog.editors[name]
        if hasattr(editor, "findData"):
            editor.setCurrentIndex(editor.findData(value))
        elif hasattr(editor, "setChecked"):
            editor.setChecked(value)
        elif hasattr(editor, "setText"):
            editor.setText(value)
        else:
            editor.setValue(value)
    with qtbot.waitSignal(dialog.saved, timeout=2000) as saved:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    return saved.args[0]


def write_settings(**values) -> None:
    settings = Settings.load()
    for name, value in values.items():
        settings.set(name, value)
    settings.save()


def column(window, name):
    return next(w for w in window.deck.columns.values() if w.spec.name == name)


def hover(widget, inside: bool) -> None:
    if inside:
        point = QPointF(10, 10)
        QApplication.sendEvent(widget.view, QEnterEvent(point, point, point))
    else:
        QApplication.sendEvent(widget.view, QEvent(QEvent.Type.Leave))


def test_theme_recolours_the_window(qtbot, make_window):
    window = opened_window(make_window)  # the fixture opens it light
    app = QApplication.instance()
    before = app.palette()
    try:
        assert save_preferences(qtbot, window, theme="dark") == ["theme"]
        assert window.theme == themes.DARK
        assert app.palette() == themes.palette(themes.DARK)
        save_preferences(qtbot, window, theme="light")
        assert window.theme == themes.LIGHT
    finally:
        app.setPalette(before)


def test_column_width_is_the_width_of_a_new_column(qtbot, make_window):
    window = opened_window(make_window)
    widths = {w.spec.id: w.width() for w in window.deck.columns.values()}
    assert save_preferences(qtbot, window, column_width=520) == ["column_width"]
    window.columns.add_saved_column("Wide", "")
    qtbot.waitUntil(lambda: any(w.spec.name == "Wide" for w in window.deck.columns.values()))
    wide = column(window, "Wide")
    assert wide.spec.width == 520 and wide.width() == 520
    # The columns already there keep their widths.
    assert {i: window.deck.columns[i].width() for i in widths} == widths


def test_pause_on_hover_off_lets_posts_in_under_the_pointer(qtbot, make_window):
    window = opened_window(make_window)
    session_id = window.session.id
    everything = column(window, "All")
    ingest(window, session_id, [make_post(0, "being read #jam")])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)  # (an empty column never holds)
    hover(everything, True)
    ingest(window, session_id, [make_post(1, "first #jam")])
    qtbot.waitUntil(lambda: everything.new_count() == 1)  # on: held behind the bar
    assert everything.model.rowCount() == 1

    assert save_preferences(qtbot, window, pause_on_hover=False) == ["pause_on_hover"]
    assert everything.new_count() == 0 and everything.model.rowCount() == 2  # let go now
    ingest(window, session_id, [make_post(2, "second #jam")])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 3)  # straight in, pointer or not
    assert everything.new_count() == 0

    save_preferences(qtbot, window, pause_on_hover=True)
    hover(everything, False)
    hover(everything, True)
    ingest(window, session_id, [make_post(3, "third #jam")])
    qtbot.waitUntil(lambda: everything.new_count() == 1)


def test_pause_on_hover_off_in_the_file_holds_at_start_up(qtbot, make_window):
    write_settings(pause_on_hover=False)
    window = opened_window(make_window)
    assert window.deck.pause_on_hover is False
    assert all(not w.pause_on_hover for w in window.deck.columns.values())


def test_demo_speed_is_the_speed_of_the_menus_demo(qtbot, make_window, monkeypatch):
    write_settings(demo_speed=42.0)
    window = make_window()
    assert window.demo_speed == 42.0  # read at start-up
    assert save_preferences(qtbot, window, demo_speed=0.0) == ["demo_speed"]
    assert window.demo_speed == 0.0
    speeds = []
    monkeypatch.setattr(window.menu, "start_demo", lambda *, speed: speeds.append(speed))
    window.menu.on_demo_requested()
    assert speeds == [0.0]


def test_avatar_cache_switches_the_avatar_loader(qtbot, make_window):
    window = make_window()  # the tests' settings file turns avatars off
    assert window.avatar_loader is None
    assert save_preferences(qtbot, window, avatar_cache=True) == ["avatar_cache"]
    assert window.avatar_loader is not None
    assert window.deck.delegate.avatars is window.avatar_loader
    save_preferences(qtbot, window, avatar_cache=False)
    assert window.avatar_loader is None and window.deck.delegate.avatars is None


def test_media_previews_switch_the_pictures_under_posts(qtbot, make_window):
    from desktop.ui.main_window import MainWindow

    window = make_window()  # the tests' settings file turns media previews off
    assert window.pictures.media is None and window.deck.delegate.media is None
    assert save_preferences(qtbot, window, media_previews=True) == ["media_previews"]
    assert window.pictures.media is not None
    assert window.deck.delegate.media is window.pictures.media
    # A window that follows the setting (as the app's) reads it at start.
    followed = MainWindow(window.library_path, media=None)
    qtbot.addWidget(followed)
    try:
        assert followed.pictures.media is not None
    finally:
        followed.shutdown()
    save_preferences(qtbot, window, media_previews=False)
    assert window.pictures.media is None and window.deck.delegate.media is None


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("jamdeck").level)
    yield
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[1])
    logging.getLogger("jamdeck").setLevel(saved[2])


def test_log_level_is_the_detail_of_the_log_file(qtbot, make_window, tmp_path, restore_logging):
    log_path = logs.setup_logging(verbose=False, state_dir=tmp_path / "state")
    window = make_window()
    probe = logging.getLogger("jamdeck.ui.probe")
    probe.debug("debug before")
    probe.info("info before")
    assert save_preferences(qtbot, window, log_level="DEBUG") == ["log_level"]
    probe.debug("debug after")
    save_preferences(qtbot, window, log_level="ERROR")
    probe.warning("warning at error level")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "info before" in text and "debug before" not in text
    assert "debug after" in text
    assert "warning at error level" not in text


def test_poll_intervals_reach_the_adapters(monkeypatch):
    write_settings(x_poll_interval=300, mastodon_poll_interval=45)
    monkeypatch.setenv("JAMDECK_X_BEARER_TOKEN", "test-bearer")
    factory = RegistrySources(AccountContext(credentials=CredentialStore()))
    session = Session(id=1, name="jam", hashtags=("jam",))
    mastodon = factory("mastodon:https://example.social", session=session, since=None)
    assert mastodon.poll_interval == 45.0
    x = factory("x", session=session, since=None)
    assert x.interval == 300.0
    # A CLI option still wins over the setting.
    cli = RegistrySources(factory._context, options={"interval": "20"})
    assert cli("mastodon:https://example.social", session=session, since=None).poll_interval == 20


def build_bluesky(monkeypatch):
    # The environment wins over the settings: the test profile sets both variables.
    monkeypatch.delenv("JAMDECK_JETSTREAM_URL", raising=False)
    monkeypatch.delenv("JAMDECK_BLUESKY_APPVIEW", raising=False)
    factory = RegistrySources(AccountContext(credentials=CredentialStore()))
    return factory("bluesky", session=Session(id=1, name="jam", hashtags=("jam",)), since=None)


def test_bluesky_jetstream_url_is_where_the_source_follows(qtbot, make_window, monkeypatch):
    assert build_bluesky(monkeypatch).jetstream_hosts[0].startswith("wss://jetstream")  # public
    window = opened_window(make_window)
    first = window.menu.on_preferences()
    editor = first.editors["bluesky_jetstream_url"]
    assert isinstance(editor, QLineEdit) and "public hosts" in editor.placeholderText()
    first.reject()
    changed = save_preferences(
        qtbot, window, bluesky_jetstream_url=" wss://js.example/ , wss://js2.example "
    )
    assert changed == ["bluesky_jetstream_url"]
    source = build_bluesky(monkeypatch)
    assert source.jetstream_hosts == ["wss://js.example", "wss://js2.example"]
    source.close()
    monkeypatch.setenv("JAMDECK_JETSTREAM_URL", "ws://127.0.0.1:9")  # the variable wins
    factory = RegistrySources(AccountContext(credentials=CredentialStore()))
    session = Session(id=1, name="jam", hashtags=("jam",))
    assert factory("bluesky", session=session, since=None).jetstream_hosts == ["ws://127.0.0.1:9"]


def test_bluesky_appview_is_where_the_source_looks_up_authors(qtbot, make_window, monkeypatch):
    assert build_bluesky(monkeypatch).appview == "https://public.api.bsky.app"
    window = opened_window(make_window)
    assert save_preferences(qtbot, window, bluesky_appview="https://appview.example/") == [
        "bluesky_appview"
    ]
    assert build_bluesky(monkeypatch).appview == "https://appview.example"
