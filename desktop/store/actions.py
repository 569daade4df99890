"""The ``actions`` table: what the user asked the networks to do, and how it went.

Write functions take the writer's connection (submit them to the ``StoreWriter``);
``stored_post`` rebuilds the ``Post`` a source needs to act on a cached post.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from desktop.core import actions as core_actions
from desktop.core.post import Author, Kind, Network, Post


class PostNotCached(LookupError):
    pass


_COLS = "id, session_id, post_id, kind, payload, account, state, error, remote_id, created_at, updated_at"


def _action(row) -> core_actions.Action:
    payload = json.loads(row[4] or "{}")
    return core_actions.Action(
        id=row[0],
        session_id=row[1],
        post_rowid=row[2],
        kind=row[3],
        network=payload.get("network", ""),
        state=core_actions.ActionState(row[6]),
        error=row[7],
        remote_id=row[8],
        created_at=row[9],
        updated_at=row[10],
        retry_at=payload.get("retry_at"),
        text=payload.get("text"),
        previous=payload.get("previous"),
        account=row[5],
    )


def _payload(action: core_actions.Action) -> str:
    payload = {"network": action.network}
    for name in ("retry_at", "text", "previous"):
        value = getattr(action, name)
        if value is not None:
            payload[name] = value
    return json.dumps(payload, ensure_ascii=False)


def post_network_and_flags(conn: sqlite3.Connection, post_rowid: int) -> tuple[str, bool, bool]:
    row = conn.execute(
        "SELECT network, retweeted_by_me, liked_by_me FROM posts WHERE id = ?", (post_rowid,)
    ).fetchone()
    if row is None:
        raise PostNotCached(f"no post {post_rowid} in the cache")
    return row[0], bool(row[1]), bool(row[2])


def set_flag(conn: sqlite3.Connection, post_rowid: int, flag: str, value: bool) -> None:
    if flag not in ("retweeted_by_me", "liked_by_me"):
        raise ValueError(f"not a flag: {flag}")
    conn.execute(f"UPDATE posts SET {flag} = ? WHERE id = ?", (int(value), post_rowid))


def insert_action(conn: sqlite3.Connection, action: core_actions.Action) -> core_actions.Action:
    """Record a new action; its optimistic flag is flipped in the same transaction."""
    cur = conn.execute(
        f"INSERT INTO actions ({_COLS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            action.session_id,
            action.post_rowid,
            action.kind,
            _payload(action),
            action.account,
            action.state.value,
            action.error,
            action.remote_id,
            action.created_at,
            action.updated_at,
        ),
    )
    flag = core_actions.FLAG_OF.get(action.kind)
    if flag and action.post_rowid is not None:
        set_flag(conn, action.post_rowid, flag[0], flag[1])
    return action.replace(id=cur.lastrowid)


def update_action(
    conn: sqlite3.Connection, action: core_actions.Action, *, roll_back: bool = False
) -> core_actions.Action:
    """Store the action's new state; ``roll_back`` restores the post's flag as it was."""
    conn.execute(
        "UPDATE actions SET state = ?, error = ?, remote_id = ?, payload = ?, updated_at = ? WHERE id = ?",
        (
            action.state.value,
            action.error,
            action.remote_id,
            _payload(action),
            action.updated_at,
            action.id,
        ),
    )
    flag = core_actions.FLAG_OF.get(action.kind)
    if roll_back and flag and action.post_rowid is not None and action.previous is not None:
        set_flag(conn, action.post_rowid, flag[0], bool(action.previous))
    return action


def get_action(conn: sqlite3.Connection, action_id: int) -> core_actions.Action | None:
    row = conn.execute(f"SELECT {_COLS} FROM actions WHERE id = ?", (action_id,)).fetchone()
    return _action(row) if row else None


def unfinished_actions(conn: sqlite3.Connection) -> list[core_actions.Action]:
    """Queued actions, and running ones a crash interrupted, oldest first."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM actions WHERE state IN ('queued', 'running') ORDER BY created_at, id"
    ).fetchall()
    return [_action(r) for r in rows]


def last_remote_id(conn: sqlite3.Connection, post_rowid: int, kind: str) -> str | None:
    """The network's id of what the last successful ``kind`` created (a Bluesky
    repost record, say): undoing it needs that."""
    row = conn.execute(
        "SELECT remote_id FROM actions WHERE post_id = ? AND kind = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
        (post_rowid, kind),
    ).fetchone()
    return row[0] if row else None


def stored_post(conn: sqlite3.Connection, post_rowid: int) -> Post:
    """The cached post as a ``Post`` with what sources act on: id, key/uri, kind,
    retweeted id, url and the raw JSON (Bluesky reads the cid from it)."""
    row = conn.execute(
        "SELECT p.network, p.key, p.network_id, a.author_id, p.author_handle, a.display_name, p.text, "
        "p.created_at, p.kind, p.retweeted_key, p.quoted_key, p.reply_to_key, p.url, p.raw, p.lang "
        "FROM posts p JOIN authors a ON a.id = p.author_rowid WHERE p.id = ?",
        (post_rowid,),
    ).fetchone()
    if row is None:
        raise PostNotCached(f"no post {post_rowid} in the cache")
    network = Network(row[0])
    try:
        raw = json.loads(row[13])
    except ValueError:
        raw = {}
    return Post(
        network=network,
        id=row[2],
        author=Author(id=row[3], handle=row[4], display_name=row[5]),
        text=row[6],
        created_at=datetime.fromtimestamp(row[7], UTC),
        kind=Kind(row[8]),
        lang=row[14],
        retweeted_id=row[9],
        quoted_id=row[10],
        reply_to_id=row[11],
        url=row[12],
        uri=row[1] if network is Network.MASTODON and row[1] != row[2] else None,
        raw=raw if isinstance(raw, dict) else {"raw": raw},
    )
