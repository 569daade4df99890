"""The post delegate keeps line breaks and isolates bidi controls (issue 18, item 8)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextLayout

from desktop.core import bidi
from desktop.core.views import PostView
from desktop.ui.post_delegate import display_text, shown_label

RLO = "\u202e"


def _view(text: str, **kw) -> PostView:
    return PostView(
        rowid=1,
        network="x",
        network_id="1",
        author_handle=kw.pop("handle", "eve"),
        author_name=kw.pop("name", "Eve"),
        avatar_url=None,
        text=text,
        created_at=0.0,
        kind="original",
        url="https://x.com/eve/status/1",
        **kw,
    )


def _lines(text: str) -> int:
    layout = QTextLayout(text, QFont())
    layout.beginLayout()
    count = 0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(2000)
        count += 1
    layout.endLayout()
    return count


def test_line_breaks_stay_breaks(qapp):
    for text in ("nice\n# Injected heading", "nice\r\n# Injected", "nice\r# Injected"):
        shown, _spans = display_text(_view(text))
        assert "\n" not in shown and "\r" not in shown
        assert _lines(shown) == 2, repr(shown)


def test_bidi_controls_are_isolated_in_the_text_and_the_names(qapp):
    shown, spans = display_text(_view(f"see photo_{RLO}gnp.exe #jam", hashtags=("jam",)))
    assert RLO not in shown and bidi.RLI in shown
    assert shown.startswith(bidi.FSI) and shown.endswith(bidi.PDI)
    assert [shown[s.start : s.start + s.length] for s in spans] == ["#jam"]
    assert RLO not in shown_label(f"Eve{RLO}evil") and shown_label("Eve") == "Eve"
