"""The quote panel: collect, reorder, notes, removal saved at once; copy and export."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication

from desktop.core.normalize import Parsed
from desktop.store import library
from desktop.store.db import connect
from desktop.store.writer import StoreWriter
from desktop.ui.quote_panel import ItemIdRole, QuoteModel, QuotePanel
from tests.fakes.posts import make_post

EVIL = '<script>alert(1)</script> =HYPERLINK("http://evil") #jamdeckdemo'


@pytest.fixture
def db(tmp_path):
    return tmp_path / "library.db"


@pytest.fixture
def jam(db):
    """A session with Q1, Q2 and answers; returns (session id, {post id: rowid})."""
    with StoreWriter(db, threaded=False) as writer:
        sid = writer.call(
            lambda ctx: library.create_session(
                ctx.conn, "jam", title="Our jam", hashtags=["jamdeckdemo"], hosts=["host"]
            )
        )
        posts = [
            make_post(1, "Q1: What is a jam? #jamdeckdemo", handle="host"),
            make_post(2, "A1: a chat on a hashtag #jamdeckdemo", handle="ann"),
            make_post(3, "A1: a party with homework", handle="bo"),
            make_post(4, "Q2: Why do you come? #jamdeckdemo", handle="host"),
            make_post(5, "A2: the people", handle="cy"),
            make_post(6, "A2: " + EVIL, handle="dee"),
            make_post(-30, "early bird, hello all", handle="eve"),
        ]
        writer.ingest(sid, Parsed(posts=posts)).result()
        rowids = dict(
            writer.call(lambda ctx: ctx.conn.execute("SELECT network_id, id FROM posts").fetchall())
        )
    return sid, rowids


@pytest.fixture
def writer(db, jam):
    w = StoreWriter(db)  # threaded, as in the app
    yield w
    w.close()


@pytest.fixture
def make_panel(qtbot, db, writer, jam):
    conns = []

    def make() -> QuotePanel:
        conn = connect(db, readonly=True)
        conns.append(conn)
        panel = QuotePanel(writer, conn, jam[0])
        qtbot.addWidget(panel)
        panel.resize(420, 560)
        return panel

    yield make
    for conn in conns:
        conn.close()


def layout(panel: QuotePanel):
    quote_list = panel.model.quote_list()
    return [(s.question, [(i.handle, i.note) for i in s.items]) for s in quote_list.sections]


def collect_all(qtbot, panel, ids, keys):
    for key in keys:
        panel.collect(ids[key])
    qtbot.waitUntil(lambda: not panel.busy and panel.model.item_count() == len(keys))


def test_collect_reorder_note_remove_persist_across_a_restart(qtbot, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    assert layout(panel) == [(1, []), (2, []), (None, [])]  # empty sections are drop targets
    collect_all(qtbot, panel, ids, ["1002", "1003", "1005", "1006", "970"])
    assert layout(panel) == [
        (1, [("ann", ""), ("bo", "")]),
        (2, [("cy", ""), ("dee", "")]),
        (None, [("eve", "")]),
    ]
    items = {i.handle: i.id for i in panel.model.quote_list().items()}

    assert panel.move_item(items["bo"], 1, 0)  # within Q1: bo first
    assert panel.move_item(items["eve"], 2, 1)  # Other -> Q2, between cy and dee
    assert panel.set_note(items["cy"], "  lead with this one ")
    assert panel.remove_item(items["ann"])
    expected = [
        (1, [("bo", "")]),
        (2, [("cy", "lead with this one"), ("eve", ""), ("dee", "")]),
        (None, []),
    ]
    assert layout(panel) == expected
    qtbot.waitUntil(lambda: not panel.busy)

    panel.close()
    again = make_panel()  # a new read connection: what the cache holds
    assert layout(again) == expected
    assert again.count_label.text() == "4 quotes"


def test_dragging_a_quote_onto_another_section_moves_and_saves_it(qtbot, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1002", "1003", "1005"])
    model = panel.model
    bo = model.index(1, 0, model.index(0, 0))
    mime = model.mimeData([bo])
    q2 = model.index(1, 0)
    # What the view does on a drop between cy and nothing (row 0 of Q2):
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, q2)
    assert not model.canDropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, q2)
    # Dropping "below the last row" of its own section keeps a within-section move right.
    ann = model.index(0, 0, model.index(0, 0))
    assert model.dropMimeData(model.mimeData([ann]), Qt.DropAction.MoveAction, -1, 0, q2)
    assert layout(panel) == [(1, []), (2, [("bo", ""), ("cy", ""), ("ann", "")]), (None, [])]
    qtbot.waitUntil(lambda: not panel.busy)
    assert layout(make_panel()) == layout(panel)


def test_within_a_section_a_drop_below_counts_before_the_item_leaves(qtbot, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1005", "1006", "970"])
    panel.move_item(panel.model.quote_list().sections[2].items[0].id, 2, -1)  # eve to Q2's end
    model = panel.model
    q2 = model.index(1, 0)
    cy = model.index(0, 0, q2)
    # Drop cy between dee (row 1) and eve (row 2): view row 2 -> cy ends second-last.
    assert model.dropMimeData(model.mimeData([cy]), Qt.DropAction.MoveAction, 2, 0, q2)
    assert [h for h, _ in layout(panel)[1][1]] == ["dee", "cy", "eve"]
    qtbot.waitUntil(lambda: not panel.busy)
    assert layout(make_panel()) == layout(panel)


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1002", "1003", "1005", "970"])
    # The tester outlives the panel's widgets: check a model of the same list it owns.
    model = QuoteModel()
    model.set_quote_list(panel.model.quote_list())
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)
    # ...and it stays consistent through the edits the panel makes.
    first = next(model.quote_list().items()).id
    assert model.move_item(first, None, 0)
    assert model.set_note(first, "n")
    assert model.remove_item(first)
    assert model.item_count() == 3


def test_delete_key_and_note_field_edit_the_selected_quote(qtbot, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1002", "1003"])
    first = panel.model.quote_list().sections[0].items[0]
    assert panel.select_item(first.id)
    assert panel.detail.text() == "@ann: A1: a chat on a hashtag #jamdeckdemo"

    qtbot.keyClicks(panel.note_field, "good opener")
    qtbot.keyClick(panel.note_field, Qt.Key.Key_Return)
    assert panel.current_item().note == "good opener"

    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert panel.model.item_count() == 1
    qtbot.waitUntil(lambda: not panel.busy)
    again = make_panel()
    assert layout(again) == [(1, [("bo", "")]), (2, []), (None, [])]


def test_toggle_collects_then_uncollects_and_reports_the_post(qtbot, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    with qtbot.waitSignal(panel.quotes_changed) as blocker:
        panel.toggle(ids["1005"])
    assert blocker.args[0].post_rowids == (ids["1005"],) and blocker.args[0].added == 1
    assert panel.model.item_count() == 1
    with qtbot.waitSignal(panel.quotes_changed) as blocker:
        panel.toggle(ids["1005"])
    assert blocker.args[0].removed == 1
    assert panel.model.item_count() == 0


def test_post_text_stays_plain_text_and_copies_are_escaped(qtbot, make_panel, jam):
    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1006"])
    dee = panel.model.index(0, 0, panel.model.index(1, 0))
    assert panel.model.data(dee) == "@dee: A2: " + EVIL
    tooltip = panel.model.data(dee, Qt.ItemDataRole.ToolTipRole)
    assert "<script>" not in tooltip and "&lt;script&gt;" in tooltip
    assert panel.model.data(dee, ItemIdRole) == next(panel.model.quote_list().items()).id

    panel.copy_html()
    mime = QGuiApplication.clipboard().mimeData()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mime.html()
    assert "<script>" not in mime.html()
    assert "@dee: A2: <script>alert(1)</script>" in mime.text()  # plain text is just text
    assert "Q2: Why do you come?" in mime.text()

    panel.copy_markdown()
    markdown = QGuiApplication.clipboard().text()
    assert markdown.startswith("# Our jam")
    assert r"\<script\>alert(1)\</script\>" in markdown

    panel.set_option("strip_hashtag", True)
    panel.copy_markdown()
    assert "#jamdeckdemo" not in QGuiApplication.clipboard().text().split("\n", 2)[2]


def test_export_to_writes_each_format(qtbot, make_panel, jam, tmp_path):
    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1002", "1006"])
    data = json.loads(panel.export_to(tmp_path / "q.json", "json").read_text())
    assert data["session"]["title"] == "Our jam" and data["session"]["quotes"] == 2
    with panel.export_to(tmp_path / "q.csv", "csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["question"], r["handle"]) for r in rows] == [("1", "ann"), ("2", "dee")]
    html_text = panel.export_to(tmp_path / "q.html", "html").read_text()
    assert "<script>alert" not in html_text
    assert panel.export_to(tmp_path / "q.md", "md").read_text().startswith("# Our jam")
    with pytest.raises(ValueError):
        panel.export_to(tmp_path / "q.txt", "txt")


def test_the_typed_extension_decides_the_format_and_notes_are_opt_in(
    qtbot, make_panel, jam, tmp_path, monkeypatch
):
    """Issue 21, item 7: "q.html" typed with the Markdown filter still chosen is
    HTML; a name without an extension takes the filter's; the private note is
    in the file only once "Include my notes" is checked."""
    from desktop.ui import quote_panel

    sid, ids = jam
    panel = make_panel()
    collect_all(qtbot, panel, ids, ["1002", "1005"])
    item = next(iter(panel.model.quote_list().items()))
    assert panel.set_note(item.id, "ask ann first")
    qtbot.waitUntil(lambda: next(iter(panel.model.quote_list().items())).note == "ask ann first")

    answers = iter(
        [
            (str(tmp_path / "q.html"), quote_panel.EXPORT_FILTERS["md"]),
            (str(tmp_path / "plain"), quote_panel.EXPORT_FILTERS["csv"]),
            (str(tmp_path / "notes.md"), quote_panel.EXPORT_FILTERS["md"]),
        ]
    )
    monkeypatch.setattr(
        quote_panel.QFileDialog, "getSaveFileName", lambda *args, **kwargs: next(answers)
    )
    panel.on_export_clicked()
    html_text = (tmp_path / "q.html").read_text(encoding="utf-8")
    assert html_text.startswith("<!DOCTYPE html>") and "ask ann first" not in html_text
    panel.on_export_clicked()
    assert (tmp_path / "plain.csv").read_text(encoding="utf-8").startswith("question,")

    notes_action = next(
        a for a in panel.export_button.menu().actions() if a.data() == "include_notes"
    )
    assert not notes_action.isChecked()
    notes_action.trigger()
    assert panel.options.include_notes
    panel.on_export_clicked()
    assert "> ask ann first" in (tmp_path / "notes.md").read_text(encoding="utf-8")
