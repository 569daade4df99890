"""The Qt user interface (the only package that imports PySide6).

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on every call of a
method that returns nothing (QLabel.setText, QPainter.setPen, ...) until the
interpreter aborts with "none_dealloc" after a few thousand calls; CPython 3.12
made None immortal, which hides it. pyproject.toml therefore keeps Python 3.11
on PySide6 < 6.12, and this check refuses to run on the broken pair rather than
crash mid-jam.
"""

from __future__ import annotations

import sys

from PySide6 import __version_info__ as _pyside_version

if sys.version_info < (3, 12) and _pyside_version[:2] >= (6, 12):  # pragma: no cover
    raise ImportError(
        f"PySide6 {'.'.join(map(str, _pyside_version[:3]))} crashes on Python 3.11 "
        "(it leaks references to None); install PySide6-Essentials<6.12 or use Python 3.12+"
    )
