"""Saved columns: a name and a filter per column, stored per session, in order.

Presets ship in ``resources/presets/*.json``. The jam preset also asks for one
column per question "as questions appear" (``per_question``): the app adds
``Q{n}`` columns when the question arrives, via ``ensure_question_column``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from desktop.core.column import Column
from desktop.core.resources import resource_path


def load_preset(name: str = "jam", *, directory: Path | None = None) -> dict:
    path = (directory or resource_path("presets")) / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def list_columns(conn: sqlite3.Connection, session_id: int) -> list[Column]:
    return [
        Column(
            id=r[0],
            session_id=session_id,
            name=r[1],
            filter=r[2],
            options=json.loads(r[3]),
            position=r[4],
            width=r[5],
        )
        for r in conn.execute(
            "SELECT id, name, filter, options, position, width FROM columns "
            "WHERE session_id = ? ORDER BY position, id",
            (session_id,),
        )
    ]


def add_column(
    conn: sqlite3.Connection,
    session_id: int,
    name: str,
    filter: str = "",
    *,
    options: dict | None = None,
    position: int | None = None,
    width: int = 340,
) -> Column:
    if position is None:
        position = conn.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM columns WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
    else:
        conn.execute(
            "UPDATE columns SET position = position + 1 WHERE session_id = ? AND position >= ?",
            (session_id, position),
        )
    cur = conn.execute(
        "INSERT INTO columns (session_id, name, filter, options, position, width) VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, name, filter, json.dumps(options or {}), position, width),
    )
    return Column(
        id=cur.lastrowid,
        session_id=session_id,
        name=name,
        filter=filter,
        options=options or {},
        position=position,
        width=width,
    )


def update_column(conn: sqlite3.Connection, column_id: int, **fields) -> None:
    for key, value in fields.items():
        if key not in {"name", "filter", "options", "width"}:
            raise TypeError(f"unknown column field {key}")
        if key == "options":
            value = json.dumps(value)
        conn.execute(f"UPDATE columns SET {key} = ? WHERE id = ?", (value, column_id))


def remove_column(conn: sqlite3.Connection, column_id: int) -> None:
    conn.execute("DELETE FROM columns WHERE id = ?", (column_id,))


def reorder_columns(conn: sqlite3.Connection, session_id: int, column_ids: list[int]) -> None:
    """Store the deck's order (ids left to right)."""
    for position, column_id in enumerate(column_ids):
        conn.execute(
            "UPDATE columns SET position = ? WHERE id = ? AND session_id = ?",
            (position, column_id, session_id),
        )


def apply_preset(
    conn: sqlite3.Connection, session_id: int, preset: dict | None = None
) -> list[Column]:
    """Give a session the preset's columns (only if it has none yet), plus one
    per question already known."""
    if conn.execute("SELECT 1 FROM columns WHERE session_id = ?", (session_id,)).fetchone():
        return list_columns(conn, session_id)
    preset = preset or load_preset("jam")
    for spec in preset["columns"]:
        add_column(
            conn, session_id, spec["name"], spec.get("filter", ""), options=spec.get("options")
        )
    if preset.get("per_question"):
        options = {"per_question": preset["per_question"]}
        for (number,) in conn.execute(
            "SELECT number FROM questions WHERE session_id = ? ORDER BY number", (session_id,)
        ).fetchall():
            ensure_question_column(conn, session_id, number, template=preset["per_question"])
        _remember_template(conn, session_id, options)
    return list_columns(conn, session_id)


def _remember_template(conn: sqlite3.Connection, session_id: int, options: dict) -> None:
    # The per-question template lives on the "All" column's options (the first one),
    # so a session keeps growing question columns after a restart.
    first = conn.execute(
        "SELECT id, options FROM columns WHERE session_id = ? ORDER BY position LIMIT 1",
        (session_id,),
    ).fetchone()
    if first:
        merged = {**json.loads(first[1]), **options}
        conn.execute("UPDATE columns SET options = ? WHERE id = ?", (json.dumps(merged), first[0]))


def question_template(conn: sqlite3.Connection, session_id: int) -> dict | None:
    for (options,) in conn.execute(
        "SELECT options FROM columns WHERE session_id = ? ORDER BY position", (session_id,)
    ):
        template = json.loads(options).get("per_question")
        if template:
            return template
    return None


def ensure_question_column(
    conn: sqlite3.Connection, session_id: int, number: int, *, template: dict | None = None
) -> Column | None:
    """Add the ``Q{number}`` column if the session follows questions and lacks it."""
    template = template or question_template(conn, session_id)
    if template is None:
        return None
    for column in list_columns(conn, session_id):
        if column.options.get("question") == number:
            return None
    # Question columns sit after the fixed ones, in question order.
    columns = list_columns(conn, session_id)
    position = len(columns)
    for column in columns:
        q = column.options.get("question")
        if q is not None and q > number:
            position = min(position, column.position)
    return add_column(
        conn,
        session_id,
        template["name"].format(n=number),
        template["filter"].format(n=number),
        options={"question": number},
        position=position,
    )
