"""The system libraries Qt's X11 platform plugin loads, checked before Qt tries.

On a minimal Debian or Ubuntu, Qt finds some of them missing and says only
that it could not load the "xcb" plugin (naming xcb-cursor0 even when others
are what is missing). JamDeck checks them itself and names the Debian packages
to install instead.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# soname -> Debian/Ubuntu package (Qt 6's documented X11 requirements).
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: dict | None = None, platform: str = sys.platform) -> bool:
    """True when Qt will use its X11 plugin: Linux, not told otherwise, not Wayland."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The Debian packages of the X11 libraries that cannot be loaded."""
    return [package for soname, package in XCB_LIBRARIES.items() if not loads(soname)]


def missing_message(packages: list[str]) -> str:
    names = " ".join(packages)
    return (
        f"the window needs system libraries that are not installed ({names}).\n"
        f"On Debian or Ubuntu: sudo apt-get install {names}"
    )
