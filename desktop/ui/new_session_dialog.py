"""The new-session dialog: name, hashtags, hosts, sources and the scheduled time.

Validation is inline: the first click on "Create session" shows what is
missing next to each field, and from then on the messages follow the edits.
``new_session()`` returns a plain ``NewSession`` (desktop.core.schedule) in
UTC; the caller creates the session in the store. (It is not called
``result()`` because QDialog.result() is already the accept/reject code.)
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.core.schedule import LEAD_IN, LEAD_OUT, NewSession

SOURCES = (("x", "X"), ("mastodon", "Mastodon"), ("bluesky", "Bluesky"))
DEFAULT_LENGTH = timedelta(hours=1)
_SPLIT = re.compile(r"[\s,;]+")
_HASHTAG = re.compile(r"^\w+$")
_HANDLE = re.compile(r"^[\w.-]+(@[\w.-]+)?$")
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


def recording_note() -> str:
    return (
        f"Recording starts {_minutes(LEAD_IN)} before the start "
        f"and stops {_minutes(LEAD_OUT)} after the end."
    )


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


def system_time_zone() -> str:
    """The system's IANA zone name, or UTC when Qt cannot tell."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    return name if name in _all_zones() else "UTC"


_ZONES: tuple[str, ...] = ()


def _all_zones() -> tuple[str, ...]:
    global _ZONES  # computed once: reading the zone database takes a few ms
    if not _ZONES:
        _ZONES = tuple(sorted(zoneinfo.available_timezones() | {"UTC"}))
    return _ZONES


def split_entries(text: str, *, strip: str) -> list[str]:
    """Entries typed with spaces or commas between them, each without a leading ``strip``."""
    return [
        entry[1:] if entry.startswith(strip) else entry
        for entry in _SPLIT.split(text.strip())
        if entry
    ]


class NewSessionDialog(QDialog):
    def __init__(
        self,
        *,
        available_sources: Iterable[str],
        existing_names: Iterable[str] = (),
        mastodon_instance: str = "",
        time_zone: str | None = None,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New session")
        self._existing = {name.casefold() for name in existing_names}
        self._available = set(available_sources)
        self._show_errors = False
        self._result: NewSession | None = None
        self._error_labels: dict[str, QLabel] = {}

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. socbizchat 12 March")
        self.hashtags_edit = QLineEdit()
        self.hashtags_edit.setPlaceholderText("#socbizchat  (several: separate with spaces)")
        self.hosts_edit = QLineEdit()
        self.hosts_edit.setPlaceholderText("@host, @host@mastodon.social, host.bsky.social")

        self.source_boxes: dict[str, QCheckBox] = {}
        sources_row = QHBoxLayout()
        for key, label in SOURCES:
            box = QCheckBox(label)
            if key in self._available:
                box.setChecked(True)
            else:
                box.setText(f"{label} (no account)")
                box.setEnabled(False)
                box.setToolTip(f"Add a {label} account first to record from {label}.")
            self.source_boxes[key] = box
            sources_row.addWidget(box)
        sources_row.addStretch(1)
        self.mastodon_instance_edit = QLineEdit(mastodon_instance)
        self.mastodon_instance_edit.setPlaceholderText("https://mastodon.social")
        self.mastodon_instance_edit.setToolTip(
            "The Mastodon server whose hashtag timeline is followed."
        )
        self.source_boxes["mastodon"].toggled.connect(self.mastodon_instance_edit.setEnabled)
        self.mastodon_instance_edit.setEnabled(self.source_boxes["mastodon"].isChecked())

        zone = time_zone if time_zone in _all_zones() else system_time_zone()
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        self.zone_combo.addItems(_all_zones())
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.setMaxVisibleItems(20)
        completer = QCompleter(list(_all_zones()), self.zone_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone_combo.setCompleter(completer)
        self.zone_combo.setCurrentText(zone)

        # The edits hold wall-clock times of the chosen zone; they are kept in
        # UTC spec only so Qt never shifts them across the *system's* DST gaps.
        clock = now or (lambda: datetime.now(UTC))
        local_now = clock().astimezone(zoneinfo.ZoneInfo(zone))
        start = local_now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        self.start_edit = self._datetime_edit(start)
        self.end_edit = self._datetime_edit(start + DEFAULT_LENGTH)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Name", self._with_error("name", self.name_edit))
        form.addRow("Hashtags", self._with_error("hashtags", self.hashtags_edit))
        form.addRow("Hosts", self._with_error("hosts", self.hosts_edit))
        form.addRow("Sources", sources_row)
        form.addRow(
            "Mastodon server", self._with_error("mastodon_instance", self.mastodon_instance_edit)
        )
        form.addRow("Starts", self._with_error("start", self.start_edit))
        form.addRow("Ends", self._with_error("schedule", self.end_edit))
        form.addRow("Time zone", self._with_error("time_zone", self.zone_combo))

        note = QLabel(recording_note())
        note.setObjectName("recordingNote")
        note.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(
            "Create session", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.on_create_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

        for edit in (
            self.name_edit,
            self.hashtags_edit,
            self.hosts_edit,
            self.mastodon_instance_edit,
        ):
            edit.textChanged.connect(self.on_input_changed)
        for box in self.source_boxes.values():
            box.toggled.connect(self.on_input_changed)
        for dt_edit in (self.start_edit, self.end_edit):
            dt_edit.dateTimeChanged.connect(self.on_input_changed)
        self.zone_combo.currentTextChanged.connect(self.on_input_changed)
        self.setMinimumWidth(560)

    # ------------------------------------------------------------------ building

    def _datetime_edit(self, wall: datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setTimeZone(QTimeZone.utc())
        edit.setDisplayFormat(DATETIME_FORMAT)
        edit.setCalendarPopup(True)
        edit.setDateTime(
            QDateTime(
                QDate(wall.year, wall.month, wall.day),
                QTime(wall.hour, wall.minute),
                QTimeZone.utc(),
            )
        )
        return edit

    def _with_error(self, field: str, content) -> QWidget:
        """``content`` (a widget or a layout) with its error message below it."""
        holder = QWidget()
        # Expanding, so a message is as wide as the form even under a narrow editor.
        holder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        if isinstance(content, QLineEdit):
            box.addWidget(content)
        elif isinstance(content, QWidget):
            box.addWidget(content, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            box.addLayout(content)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setStyleSheet("color: #c62828;")
        error.setWordWrap(True)
        error.hide()
        box.addWidget(error)
        self._error_labels[field] = error
        return holder

    # ------------------------------------------------------------------ reading

    def _wall_clock(self, edit: QDateTimeEdit, zone: zoneinfo.ZoneInfo) -> datetime:
        date, time = edit.date(), edit.time()
        wall = datetime(
            date.year(), date.month(), date.day(), time.hour(), time.minute(), tzinfo=zone
        )
        return wall.astimezone(UTC)

    def _collect(self) -> tuple[NewSession | None, dict[str, str]]:
        errors: dict[str, str] = {}
        name = self.name_edit.text().strip()
        if not name:
            errors["name"] = "Give the session a name."
        elif name.casefold() in self._existing:
            errors["name"] = f"A session named “{name}” already exists: choose another name."

        hashtags = split_entries(self.hashtags_edit.text(), strip="#")
        bad_tags = [tag for tag in hashtags if not _HASHTAG.match(tag)]
        if not hashtags:
            errors["hashtags"] = "Add at least one hashtag, e.g. #socbizchat."
        elif bad_tags:
            errors["hashtags"] = f"Not a hashtag: #{bad_tags[0]} (use letters, digits and _)."

        hosts = split_entries(self.hosts_edit.text(), strip="@")
        bad_hosts = [host for host in hosts if not _HANDLE.match(host)]
        if bad_hosts:
            errors["hosts"] = f"Not a handle: {bad_hosts[0]}"

        sources = tuple(key for key, _ in SOURCES if self.source_boxes[key].isChecked())
        instance = self.mastodon_instance_edit.text().strip().rstrip("/")
        if "mastodon" in sources and not re.match(r"^https?://[^\s/]+", instance):
            errors["mastodon_instance"] = (
                "Enter the server's address, e.g. https://mastodon.social."
            )

        zone_name = self.zone_combo.currentText().strip()
        start = end = None
        if zone_name not in _all_zones():
            errors["time_zone"] = f"Unknown time zone: {zone_name or '(empty)'}"
        else:
            zone = zoneinfo.ZoneInfo(zone_name)
            start = self._wall_clock(self.start_edit, zone)
            end = self._wall_clock(self.end_edit, zone)
            if end <= start:
                errors["schedule"] = "The end must be after the start."

        if errors:
            return None, errors
        return (
            NewSession(
                name=name,
                hashtags=tuple(dict.fromkeys(hashtags)),
                hosts=tuple(dict.fromkeys(hosts)),
                sources=sources,
                start_utc=start,
                end_utc=end,
                mastodon_instance=instance if "mastodon" in sources else None,
                time_zone=zone_name,
            ),
            {},
        )

    def errors(self) -> dict[str, str]:
        """The messages shown now, by field."""
        return {
            field: label.text()
            for field, label in self._error_labels.items()
            if not label.isHidden()
        }

    def new_session(self) -> NewSession | None:
        """What the user asked for, once accepted; None before that or if cancelled."""
        return self._result

    # ------------------------------------------------------------------ slots

    def _show(self, errors: dict[str, str]) -> None:
        for field, label in self._error_labels.items():
            message = errors.get(field, "")
            label.setText(message)
            label.setVisible(bool(message))

    def on_input_changed(self, *_args) -> None:
        if self._show_errors:
            self._show(self._collect()[1])

    def on_create_clicked(self) -> None:
        session, errors = self._collect()
        self._show_errors = True
        self._show(errors)
        if session is None:
            first = next(iter(errors))
            focus = {
                "name": self.name_edit,
                "hashtags": self.hashtags_edit,
                "hosts": self.hosts_edit,
                "mastodon_instance": self.mastodon_instance_edit,
                "schedule": self.end_edit,
                "time_zone": self.zone_combo,
            }.get(first)
            if focus is not None:
                focus.setFocus()
            return
        self._result = session
        self.accept()
