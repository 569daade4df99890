"""``jamdeck export --quotes``: the writer's private notes stay out of the file
unless ``--notes`` asks for them (issue 21, item 7)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.test_cli import jamdeck

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo_jam.jsonl"


def test_quote_export_leaves_notes_out_unless_asked(tmp_path):
    data = tmp_path / "data"
    jamdeck("import", DEMO, "--session", "demo", data_dir=data)
    jamdeck("quotes", "add", "demo", "--filter", "min_likes:6 -is:question", data_dir=data)
    with sqlite3.connect(data / "library.db") as conn:
        conn.execute("UPDATE quote_items SET note = 'PRIVATE: check with her first'")
    for fmt in ("md", "html", "csv", "json"):
        published = jamdeck("export", "demo", "--quotes", "--format", fmt, data_dir=data)
        assert "PRIVATE" not in published.stdout, fmt
        with_notes = jamdeck(
            "export", "demo", "--quotes", "--format", fmt, "--notes", data_dir=data
        )
        assert "PRIVATE: check with her first" in with_notes.stdout, fmt
