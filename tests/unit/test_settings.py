"""Settings: one schema, validated values, a TOML file that round-trips and never holds secrets."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from desktop.app import settings as settings_mod
from desktop.app.settings import SCHEMA, SCHEMA_BY_NAME, Settings, SettingsError, to_toml

SECRET_LOOKING = re.compile(r"token|secret|passw|credential|auth|bearer|api_?key|jwt|cookie", re.I)


def test_schema_declares_each_setting_once_with_a_valid_default():
    names = [s.name for s in SCHEMA]
    assert len(names) == len(set(names))
    for setting in SCHEMA:
        assert setting.description.strip(), setting.name
        assert setting.label.strip(), setting.name
        assert setting.validate(setting.default) == setting.default
        if setting.choices is not None:
            assert setting.type is str and setting.default in setting.choices
        if setting.type in (int, float):
            assert setting.minimum is not None and setting.maximum is not None, setting.name


def test_schema_has_no_secret_looking_names():
    suspicious = [s.name for s in SCHEMA if SECRET_LOOKING.search(s.name)]
    assert suspicious == []


DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
# Generic code that goes through every setting without naming one.
GENERIC = {DESKTOP / "app" / "settings.py", DESKTOP / "ui" / "preferences.py"}
# A settings read: ``settings.get("name")``, ``Settings.load().get("name")``.
SETTINGS_READ = re.compile(r"""[Ss]ettings(?:\.load\(\))?\.get\(\s*["'](\w+)["']""")
QUOTED_NAME = re.compile(r"""["'](\w+)["']""")


def _sources() -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in sorted(DESKTOP.rglob("*.py"))
        if path not in GENERIC
    }


def test_every_declared_setting_is_read_by_the_app():
    # Named in code that reads the settings: a settings.get("name") or a table of
    # names next to one (desktop.app.source_specs.POLL_SETTINGS, BLUESKY_HOST_SETTINGS).
    named: set[str] = set()
    for text in _sources().values():
        if SETTINGS_READ.search(text) or "Settings.load()" in text:
            named.update(QUOTED_NAME.findall(text))
    unread = sorted({s.name for s in SCHEMA} - named)
    assert unread == [], f"declared but never read (wire them or remove them): {unread}"


def test_every_setting_the_app_reads_is_declared():
    reads = {
        (path.relative_to(DESKTOP.parent).as_posix(), name)
        for path, text in _sources().items()
        for name in SETTINGS_READ.findall(text)
    }
    assert len(reads) >= 6  # the pattern still finds the reads
    undeclared = sorted((where, name) for where, name in reads if name not in SCHEMA_BY_NAME)
    assert undeclared == []
    from desktop.app.source_specs import BLUESKY_HOST_SETTINGS, POLL_SETTINGS

    assert set(POLL_SETTINGS.values()) <= set(SCHEMA_BY_NAME)
    assert set(BLUESKY_HOST_SETTINGS.values()) <= set(SCHEMA_BY_NAME)


def test_a_file_naming_a_removed_setting_still_loads(tmp_path):
    # slow_mode_default, x_price_per_read and bluesky_poll_interval were dropped:
    # a file an older version wrote keeps working, and the next save drops them.
    path = tmp_path / "settings.toml"
    path.write_text(
        'theme = "dark"\nslow_mode_default = 2.0\nx_price_per_read = 0.005\n'
        "bluesky_poll_interval = 10\n",
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert settings.get("theme") == "dark"
    assert settings.as_dict() == {**Settings().as_dict(), "theme": "dark"}
    assert [p.split(": ", 1)[1] for p in settings.problems] == [
        "unknown setting 'slow_mode_default'; using the default",
        "unknown setting 'x_price_per_read'; using the default",
        "unknown setting 'bluesky_poll_interval'; using the default",
    ]
    settings.save()
    assert "slow_mode_default" not in path.read_text(encoding="utf-8")


def test_missing_file_means_defaults_in_the_config_dir(isolated_profile):
    settings = Settings.load()
    assert settings.path == isolated_profile / "config" / "settings.toml"
    assert settings.get("theme") == "system"
    assert settings.get("pause_on_hover") is True
    assert settings.problems == []


def test_set_save_load_round_trips_every_type(tmp_path):
    path = tmp_path / "cfg" / "settings.toml"
    settings = Settings.load(path)
    settings.set("theme", "dark")
    settings.set("pause_on_hover", False)
    settings.set("column_width", 420)
    settings.set("demo_speed", 2)  # an int is fine for a float setting
    settings.set("log_level", "DEBUG")
    assert settings.save() == path

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["theme"] == "dark"
    assert data["pause_on_hover"] is False
    assert data["column_width"] == 420
    assert data["demo_speed"] == 2.0
    assert set(data) == {s.name for s in SCHEMA}

    again = Settings.load(path)
    assert again.as_dict() == settings.as_dict()
    assert again.get("demo_speed") == 2.0
    assert isinstance(again.get("demo_speed"), float)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("theme", "purple", "theme must be one of system, light, dark; got 'purple'"),
        ("column_width", 100, "column_width must be at least 240; got 100"),
        ("column_width", 9000, "column_width must be at most 800; got 9000"),
        ("column_width", "wide", "column_width must be a whole number, not 'wide'"),
        ("column_width", True, "column_width must be a whole number, not True"),
        ("pause_on_hover", 1, "pause_on_hover must be true or false, not 1"),
        ("demo_speed", -1, "demo_speed must be at least 0; got -1"),
        ("demo_speed", float("nan"), "demo_speed must be a finite number"),
        ("x_bearer_token", "AAAA", "unknown setting 'x_bearer_token'"),
    ],
)
def test_set_refuses_bad_values_with_a_clear_message(name, value, message):
    settings = Settings()
    before = settings.as_dict()
    with pytest.raises(SettingsError, match=re.escape(message)):
        settings.set(name, value)
    assert settings.as_dict() == before


def test_save_refuses_unknown_keys(tmp_path):
    with pytest.raises(SettingsError, match="refusing to save unknown settings: mastodon_token"):
        to_toml({"theme": "dark", "mastodon_token": "s3cr3t"})
    settings = Settings(path=tmp_path / "settings.toml")
    settings._values["bluesky_app_password"] = "abcd-efgh-ijkl-mnop"  # as a buggy caller might
    with pytest.raises(SettingsError, match="bluesky_app_password"):
        settings.save()
    assert not (tmp_path / "settings.toml").exists()


def test_a_bad_file_never_stops_the_app(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('theme = "neon"\ncolumn_width = 500\nfuture_option = 3\n', encoding="utf-8")
    settings = Settings.load(path)
    assert settings.get("theme") == "system"  # bad value: default
    assert settings.get("column_width") == 500  # good value kept
    assert len(settings.problems) == 2
    assert "theme must be one of" in settings.problems[0]
    assert "unknown setting 'future_option'" in settings.problems[1]

    path.write_text("theme = \n", encoding="utf-8")
    broken = Settings.load(path)
    assert broken.as_dict() == Settings().as_dict()
    assert "unreadable, using defaults" in broken.problems[0]


def test_text_values_are_escaped_in_the_file(tmp_path, monkeypatch):
    # No schema setting takes free text today; make sure one would be written safely.
    free_text = settings_mod.Setting("note", str, "", "Note", "A note.")
    monkeypatch.setattr(settings_mod, "SCHEMA", [free_text])
    monkeypatch.setattr(settings_mod, "SCHEMA_BY_NAME", {"note": free_text})
    text = to_toml({"note": 'say "hi"\\n\nnew line ünïcode'})
    assert tomllib.loads(text)["note"] == 'say "hi"\\n\nnew line ünïcode'
