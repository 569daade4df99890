"""Settings: one schema, validated values, a TOML file that round-trips and never holds secrets."""

from __future__ import annotations

import re
import tomllib

import pytest

from desktop.app import settings as settings_mod
from desktop.app.settings import SCHEMA, Settings, SettingsError, to_toml

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


def test_the_settings_the_app_reads_are_declared():
    expected = {
        "theme",
        "slow_mode_default",
        "pause_on_hover",
        "column_width",
        "x_poll_interval",
        "x_price_per_read",
        "mastodon_poll_interval",
        "bluesky_poll_interval",
        "demo_speed",
        "avatar_cache",
        "log_level",
    }
    assert expected <= {s.name for s in SCHEMA}


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
    settings.set("slow_mode_default", 2)  # an int is fine for a float setting
    settings.set("x_price_per_read", 0.0125)
    settings.set("log_level", "DEBUG")
    assert settings.save() == path

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["theme"] == "dark"
    assert data["pause_on_hover"] is False
    assert data["column_width"] == 420
    assert data["slow_mode_default"] == 2.0
    assert set(data) == {s.name for s in SCHEMA}

    again = Settings.load(path)
    assert again.as_dict() == settings.as_dict()
    assert again.get("x_price_per_read") == 0.0125
    assert isinstance(again.get("slow_mode_default"), float)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("theme", "purple", "theme must be one of system, light, dark; got 'purple'"),
        ("column_width", 100, "column_width must be at least 240; got 100"),
        ("column_width", 9000, "column_width must be at most 800; got 9000"),
        ("column_width", "wide", "column_width must be a whole number, not 'wide'"),
        ("column_width", True, "column_width must be a whole number, not True"),
        ("pause_on_hover", 1, "pause_on_hover must be true or false, not 1"),
        ("slow_mode_default", -1, "slow_mode_default must be at least 0; got -1"),
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
