"""The replay bar and the pending-actions dialog say what they do (issue 21, item 9):
"Play" before anything plays, Stop closes the bar; the dialog closes with Close."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from tests.qt.test_time_slider import recorded_window


def _shot(widget, name: str, tmp_path) -> None:
    out = Path(os.environ.get("JAMDECK_SHOTS", tmp_path))
    widget.grab().save(str(out / name))


def test_the_replay_bar_says_play_before_anything_plays_and_stop_closes_it(
    qtbot, make_window, tmp_path
):
    window, _sid = recorded_window(qtbot, make_window)
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    window.replay_button.click()
    bar = window.replay_bar
    assert bar.isVisible() and bar.replay.state == "stopped"
    assert bar.play.text() == "Play" and bar.play.isEnabled()
    assert not bar.stop_button.isEnabled()
    _shot(bar, "replay_bar_ready.png", tmp_path)

    bar.play.click()  # plays from the slider's time
    assert bar.replay.state == "playing" and bar.play.text() == "Pause"
    bar.replay.timer.stop()
    _shot(bar, "replay_bar_playing.png", tmp_path)
    bar.play.click()
    assert bar.play.text() == "Resume"
    _shot(bar, "replay_bar_paused.png", tmp_path)

    bar.stop_button.click()
    assert bar.replay.state == "stopped"
    assert not bar.isVisible() and not window.replay_button.isChecked()


def test_the_pending_dialog_closes_with_close_and_names_its_row_button(
    qtbot, make_window, tmp_path
):
    window = make_window()
    window.resize(1000, 600)
    window.show()
    dialog = window.post_actions.show_pending()
    qtbot.waitExposed(dialog)
    view = window.post_actions.pending_view
    assert view.cancel_button.text() == "Cancel action"
    _shot(dialog, "pending_dialog.png", tmp_path)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    close.click()
    assert not dialog.isVisible()
