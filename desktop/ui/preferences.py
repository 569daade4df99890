"""The preferences dialog, built from the settings schema (desktop.app.settings.SCHEMA).

One editor per setting, chosen by its type: a combo box for choices, a check
box for true/false, a spin box for numbers (with the schema's range, step and
unit), a line edit for free text. Each setting's description sits under its
editor and in its tooltip. Adding a setting to the schema adds it here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.app.settings import SCHEMA, Setting, Settings, SettingsError


def make_editor(setting: Setting) -> QWidget:
    """The widget that edits ``setting``."""
    if setting.choices is not None:
        editor = QComboBox()
        editor.addItems(
            [choice.capitalize() if choice.islower() else choice for choice in setting.choices]
        )
        for index, choice in enumerate(setting.choices):
            editor.setItemData(index, choice)
    elif setting.type is bool:
        editor = QCheckBox(setting.label)
    elif setting.type is int:
        editor = QSpinBox()
        editor.setRange(int(setting.minimum), int(setting.maximum))
        editor.setSingleStep(int(setting.step or 1))
    elif setting.type is float:
        editor = QDoubleSpinBox()
        editor.setDecimals(setting.decimals)
        editor.setRange(float(setting.minimum), float(setting.maximum))
        editor.setSingleStep(float(setting.step or 1.0))
    else:
        editor = QLineEdit()
        editor.setPlaceholderText(setting.empty_means)
        editor.setClearButtonEnabled(True)
        editor.setMinimumWidth(280)
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        if setting.unit:
            editor.setSuffix(f" {setting.unit}")
        if setting.zero_means and setting.minimum == 0:
            editor.setSpecialValueText(setting.zero_means.capitalize())
        editor.setMinimumWidth(140)
    editor.setObjectName(f"setting_{setting.name}")
    editor.setToolTip(setting.description)
    return editor


def editor_value(setting: Setting, editor: QWidget):
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    if isinstance(editor, QDoubleSpinBox):
        return round(editor.value(), setting.decimals)
    return editor.text()


def set_editor_value(editor: QWidget, value) -> None:
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findData(value))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.setValue(value)
    else:
        editor.setText(str(value))


class PreferencesDialog(QDialog):
    """Edits a copy of the values; Save validates, writes the file and emits ``saved``."""

    saved = Signal(list)  # names of the settings whose value changed

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.editors: dict[str, QWidget] = {}

        # One form for every group, so the labels of all groups line up.
        content = QWidget()
        form = QFormLayout(content)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(6)
        group = None
        for setting in SCHEMA:
            if setting.group != group:
                group = setting.group
                heading = QLabel(group)
                heading.setObjectName("settingsGroup")
                font = heading.font()
                font.setBold(True)
                heading.setFont(font)
                if form.rowCount():
                    heading.setContentsMargins(0, 12, 0, 0)
                form.addRow(heading)
            editor = make_editor(setting)
            set_editor_value(editor, settings.get(setting.name))
            self.editors[setting.name] = editor
            field = QWidget()
            field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            field_layout = QVBoxLayout(field)
            field_layout.setContentsMargins(0, 0, 0, 4)
            field_layout.setSpacing(2)
            field_layout.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft)
            description = QLabel(setting.description)
            description.setObjectName("settingDescription")
            description.setTextFormat(Qt.TextFormat.PlainText)
            description.setWordWrap(True)
            description.setEnabled(False)  # drawn in the palette's muted text colour
            field_layout.addWidget(description)
            # A check box carries its own label; the others get it on the left.
            form.addRow("" if isinstance(editor, QCheckBox) else setting.label, field)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.on_restore_defaults_clicked
        )

        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.buttons)
        self.resize(640, 720)

    def values(self) -> dict:
        """What the editors hold now, by setting name."""
        return {s.name: editor_value(s, self.editors[s.name]) for s in SCHEMA}

    def on_restore_defaults_clicked(self) -> None:
        for setting in SCHEMA:
            set_editor_value(self.editors[setting.name], setting.default)

    def on_save_clicked(self) -> None:
        before = self.settings.as_dict()
        try:
            for name, value in self.values().items():
                self.settings.set(name, value)
            self.settings.save()
        except (SettingsError, OSError) as exc:
            for name, value in before.items():  # leave the settings as they were
                self.settings.set(name, value)
            QMessageBox.warning(self, "Preferences not saved", str(exc))
            return
        after = self.settings.as_dict()
        self.saved.emit([name for name in after if after[name] != before[name]])
        self.accept()
