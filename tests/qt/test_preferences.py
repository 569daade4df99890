"""The preferences dialog is the settings schema made visible: every setting, the right editor."""

from __future__ import annotations

import tomllib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QDoubleSpinBox, QSpinBox

from desktop.app.settings import SCHEMA, Settings
from desktop.ui.preferences import PreferencesDialog


def make_dialog(qtbot, settings: Settings) -> PreferencesDialog:
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_every_setting_has_an_editor_of_its_kind_showing_its_value(qtbot, tmp_path):
    settings = Settings(path=tmp_path / "settings.toml")
    dialog = make_dialog(qtbot, settings)
    assert list(dialog.editors) == [s.name for s in SCHEMA]
    for setting in SCHEMA:
        editor = dialog.editors[setting.name]
        assert editor.toolTip() == setting.description
        if setting.choices is not None:
            assert isinstance(editor, QComboBox)
            assert [editor.itemData(i) for i in range(editor.count())] == list(setting.choices)
        elif setting.type is bool:
            assert isinstance(editor, QCheckBox) and editor.text() == setting.label
        elif setting.type is int:
            assert isinstance(editor, QSpinBox)
            assert (editor.minimum(), editor.maximum()) == (setting.minimum, setting.maximum)
        elif setting.type is float:
            assert isinstance(editor, QDoubleSpinBox)
            assert (editor.minimum(), editor.maximum()) == (setting.minimum, setting.maximum)
    assert dialog.values() == settings.as_dict()
    # 0 reads as what it means.
    speed = dialog.editors["demo_speed"]
    speed.setValue(0)
    assert speed.specialValueText() == "All at once" and speed.text() == "All at once"


def test_save_writes_the_toml_and_reports_what_changed(qtbot, tmp_path):
    path = tmp_path / "config" / "settings.toml"
    settings = Settings.load(path)
    dialog = make_dialog(qtbot, settings)
    dialog.editors["theme"].setCurrentIndex(dialog.editors["theme"].findData("dark"))
    qtbot.mouseClick(dialog.editors["pause_on_hover"], Qt.MouseButton.LeftButton)
    dialog.editors["column_width"].setValue(420)
    dialog.editors["mastodon_poll_interval"].setValue(45)
    dialog.editors["demo_speed"].setValue(2.5)

    with qtbot.waitSignal(dialog.saved, timeout=1000) as saved:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert sorted(saved.args[0]) == [
        "column_width",
        "demo_speed",
        "mastodon_poll_interval",
        "pause_on_hover",
        "theme",
    ]
    assert not dialog.isVisible()

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["theme"] == "dark"
    assert data["pause_on_hover"] is False
    assert data["column_width"] == 420
    assert data["mastodon_poll_interval"] == 45
    assert data["demo_speed"] == 2.5
    assert Settings.load(path).as_dict() == settings.as_dict()


def test_cancel_changes_nothing_and_defaults_can_be_restored(qtbot, tmp_path):
    path = tmp_path / "settings.toml"
    settings = Settings.load(path)
    settings.set("demo_speed", 50.0)
    dialog = make_dialog(qtbot, settings)
    assert dialog.editors["demo_speed"].value() == 50.0
    dialog.editors["log_level"].setCurrentIndex(dialog.editors["log_level"].findData("ERROR"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert settings.get("log_level") == "INFO" and not path.exists()

    dialog = make_dialog(qtbot, settings)
    dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog.values() == {s.name: s.default for s in SCHEMA}
    assert settings.get("demo_speed") == 50.0  # not until Save
