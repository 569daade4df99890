"""First run: the welcome panel's three ways in, and creating a scheduled session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtWidgets import QLabel

from desktop.core.schedule import LEAD_IN, LEAD_OUT, NewSession, recording_window
from desktop.ui.first_run import FirstRunPanel
from desktop.ui.new_session_dialog import NewSessionDialog

NOW = datetime(2026, 3, 12, 17, 20, tzinfo=UTC)


def test_first_run_panel_explains_and_each_button_emits_its_signal(qtbot):
    panel = FirstRunPanel()
    qtbot.addWidget(panel)
    panel.show()
    texts = [
        button.text()
        for button in (panel.demo_button, panel.add_account_button, panel.import_button)
    ]
    assert texts == ["Play the demo jam", "Add an account", "Import an archive"]

    for button, signal in (
        (panel.demo_button, panel.demo_requested),
        (panel.add_account_button, panel.add_account_requested),
        (panel.import_button, panel.import_requested),
    ):
        with qtbot.waitSignal(signal, timeout=1000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_first_run_buttons_emit_only_their_own_signal(qtbot):
    panel = FirstRunPanel()
    qtbot.addWidget(panel)
    seen: list[str] = []
    panel.demo_requested.connect(lambda: seen.append("demo"))
    panel.add_account_requested.connect(lambda: seen.append("account"))
    panel.import_requested.connect(lambda: seen.append("import"))
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.demo_button, Qt.MouseButton.LeftButton)
    assert seen == ["import", "demo"]


def make_dialog(qtbot, **kwargs) -> NewSessionDialog:
    options = {
        "available_sources": ["mastodon", "bluesky"],
        "existing_names": ["socbizchat"],
        "now": lambda: NOW,
        "time_zone": "America/New_York",
    }
    options.update(kwargs)
    dialog = NewSessionDialog(**options)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def set_wall_clock(edit, year, month, day, hour, minute) -> None:
    edit.setDateTime(QDateTime(year, month, day, hour, minute, 0, 0, QTimeZone.utc()))


def test_new_session_dialog_refuses_then_accepts(qtbot):
    dialog = make_dialog(qtbot)
    # Sources without an account cannot be chosen; the others are on by default.
    assert not dialog.source_boxes["x"].isEnabled()
    assert (
        dialog.source_boxes["mastodon"].isChecked() and dialog.source_boxes["bluesky"].isChecked()
    )
    # Defaults: the next full hour in the chosen zone, for an hour.
    assert dialog.start_edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-12 14:00"
    assert dialog.end_edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-03-12 15:00"

    # Nothing filled in, a taken name, no hashtag, an end before the start: refused, with reasons.
    qtbot.keyClicks(dialog.name_edit, "SocBizChat")
    set_wall_clock(dialog.end_edit, 2026, 3, 12, 13, 0)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.new_session() is None
    errors = dialog.errors()
    assert errors["name"] == "A session named “SocBizChat” already exists: choose another name."
    assert errors["hashtags"] == "Add at least one hashtag, e.g. #socbizchat."
    assert errors["mastodon_instance"].startswith("Enter the server's address")
    assert errors["schedule"] == "The end must be after the start."

    # Messages follow the edits once shown.
    dialog.name_edit.clear()
    assert dialog.errors()["name"] == "Give the session a name."
    qtbot.keyClicks(dialog.name_edit, "socbizchat 12 March")
    assert "name" not in dialog.errors()
    qtbot.keyClicks(dialog.hashtags_edit, "#soc-biz")
    assert dialog.errors()["hashtags"] == "Not a hashtag: #soc-biz (use letters, digits and _)."

    # Now valid.
    dialog.hashtags_edit.setText("#socbizchat, #SocBiz #socbizchat")
    qtbot.keyClicks(dialog.hosts_edit, "@maria @host@mastodon.social maria.bsky.social")
    qtbot.keyClicks(dialog.mastodon_instance_edit, "https://mastodon.social/")
    set_wall_clock(dialog.end_edit, 2026, 3, 12, 15, 30)
    assert dialog.errors() == {}
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    assert dialog.new_session() == NewSession(
        name="socbizchat 12 March",
        hashtags=("socbizchat", "SocBiz"),
        hosts=("maria", "host@mastodon.social", "maria.bsky.social"),
        sources=("mastodon", "bluesky"),
        start_utc=datetime(2026, 3, 12, 18, 0, tzinfo=UTC),  # 14:00 EDT
        end_utc=datetime(2026, 3, 12, 19, 30, tzinfo=UTC),
        mastodon_instance="https://mastodon.social",
        time_zone="America/New_York",
    )
    begin, end = recording_window(dialog.new_session().start_utc, dialog.new_session().end_utc)
    assert (begin, end) == (
        datetime(2026, 3, 12, 18, 0, tzinfo=UTC) - LEAD_IN,
        datetime(2026, 3, 12, 19, 30, tzinfo=UTC) + LEAD_OUT,
    )


def test_the_dialog_says_when_recording_starts_and_stops(qtbot):
    dialog = make_dialog(qtbot)
    note = dialog.findChild(QLabel, "recordingNote")
    assert (
        note.text()
        == "Recording starts 5 minutes before the start and stops 5 minutes after the end."
    )


@pytest.mark.parametrize(
    ("zone", "expected_start"),
    [
        ("Europe/Paris", datetime(2026, 3, 12, 18, 0, tzinfo=UTC)),  # 19:00 CET
        ("Asia/Tokyo", datetime(2026, 3, 12, 18, 0, tzinfo=UTC)),  # 03:00 JST next day
    ],
)
def test_times_are_read_in_the_chosen_zone(qtbot, zone, expected_start):
    dialog = make_dialog(qtbot, time_zone=zone, available_sources=["bluesky"])
    dialog.name_edit.setText("jam")
    dialog.hashtags_edit.setText("jam")
    dialog.create_button.click()
    session = dialog.new_session()
    assert session.start_utc == expected_start
    assert session.end_utc - session.start_utc == timedelta(hours=1)
    assert session.sources == ("bluesky",) and session.mastodon_instance is None


def test_an_unknown_time_zone_is_refused(qtbot):
    dialog = make_dialog(qtbot, available_sources=[])
    dialog.name_edit.setText("jam")
    dialog.hashtags_edit.setText("jam")
    dialog.zone_combo.setCurrentText("Mars/Olympus_Mons")
    dialog.create_button.click()
    assert dialog.new_session() is None
    assert dialog.errors() == {"time_zone": "Unknown time zone: Mars/Olympus_Mons"}
