"""Issue 21.2: on a minimal Debian the window failed with Qt's message naming
xcb-cursor0 while libxcb-icccm4 and libxcb-keysyms1 were what was missing."""

from __future__ import annotations

from desktop.ui import system_libraries


def test_the_missing_x11_libraries_are_named_by_their_debian_packages():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    missing = system_libraries.missing_packages(loads=lambda soname: soname not in absent)
    assert missing == ["libxcb-icccm4", "libxcb-keysyms1"]
    message = system_libraries.missing_message(missing)
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in message


def test_nothing_is_missing_when_every_library_loads():
    assert system_libraries.missing_packages(loads=lambda _soname: True) == []


def test_only_qts_x11_plugin_is_checked():
    linux = "linux"
    assert system_libraries.uses_xcb({"DISPLAY": ":0"}, linux)
    assert system_libraries.uses_xcb({"QT_QPA_PLATFORM": "xcb"}, linux)
    assert not system_libraries.uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, linux)
    assert not system_libraries.uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, linux)
    assert not system_libraries.uses_xcb({}, "darwin")
