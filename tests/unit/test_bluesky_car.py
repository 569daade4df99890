"""Issue 19, item 9: a Bluesky repository export (``repo.car``), written here in the real format."""

from __future__ import annotations

import threading

import libipld
from atproto_core.car import CAR
from atproto_core.cid import CID

from desktop.core.post import Kind, Network
from desktop.sources import bluesky_car
from desktop.sources.replay import ReplaySource
from tests.fakes.car import (
    JAM_DID,
    OTHER_POST,
    ZOE_DID,
    jam_repo_records,
    layer,
    write_repo,
)
from tests.fakes.sink import CollectingSink


def _import(path):
    source = ReplaySource([path], speed=0)
    sink = CollectingSink()
    source.run(sink, threading.Event())
    return source, sink


def test_the_written_repository_is_what_atprotos_reader_reads(tmp_path):
    records, _ = jam_repo_records()
    path = tmp_path / "repo.car"
    repo = write_repo(path, JAM_DID, records)
    car = CAR.from_bytes(path.read_bytes())
    assert car.root == CID.decode(repo.commit)
    commit = car.blocks[car.root]
    assert (commit["did"], commit["version"], commit["prev"]) == (JAM_DID, 3, None)
    assert len(car.blocks) == len(repo.blocks)

    # The tree as the spec lays it out: each node's keys share one layer, in order,
    # its subtrees one layer down; walking it in order gives every key once.
    keys: list[str] = []

    def walk(link: bytes, level: int) -> None:
        node = car.blocks[CID.decode(link)]
        if node["l"] is not None:
            walk(node["l"], level - 1)
        previous = b""
        for entry in node["e"]:
            key = previous[: entry["p"]] + entry["k"]
            assert layer(key.decode()) == level
            keys.append(key.decode())
            if entry["t"] is not None:
                walk(entry["t"], level - 1)
            previous = key

    walk(commit["data"], 2)
    assert keys == sorted(records) and len(repo.nodes) >= 3  # three layers, 2 down to 0
    assert any(
        e["p"] > 0 for n in repo.nodes for e in libipld.decode_dag_cbor(repo.blocks[n])["e"]
    )  # keys are prefix-compressed


def test_a_repository_export_imports_its_posts_and_reports_the_rest(tmp_path):
    records, rkeys = jam_repo_records()
    path = tmp_path / "repo.car"
    write_repo(path, JAM_DID, records)
    source, sink = _import(path)
    posts = {post.id: post for post in sink.posts}
    uri = {name: f"at://{JAM_DID}/app.bsky.feed.post/{rkey}" for name, rkey in rkeys.items()}
    assert sorted(posts) == sorted(uri.values())
    assert all(p.network is Network.BLUESKY and p.author.handle == JAM_DID for p in sink.posts)

    question, answer = posts[uri["question"]], posts[uri["answer"]]
    assert question.text == "Q1 What makes a jam work? #jam" and question.hashtags == ("jam",)
    assert question.url == f"https://bsky.app/profile/{JAM_DID}/post/{rkeys['question']}"
    assert question.created_at.isoformat() == "2026-05-01T18:00:00+00:00"
    assert answer.kind is Kind.REPLY and answer.reply_to_id == uri["question"]
    assert answer.mentions == ("zoe.bsky.social",)
    link = posts[uri["link"]]
    assert link.hashtags == ("tweetjam",)  # the record's outline tag
    assert [x.expanded_url for x in link.links] == ["https://example.com/jam/notes"]
    quote = posts[uri["quote"]]
    assert quote.kind is Kind.QUOTE and quote.quoted_id == OTHER_POST
    photo = posts[uri["photo"]]
    assert photo.text == "東京のジャム #jam" and photo.lang == "ja"
    assert [m.alt_text for m in photo.media] == ["The hosts at the table"]
    # The blob's link is kept in atproto's JSON form.
    assert photo.raw["value"]["embed"]["images"][0]["image"]["ref"]["$link"].startswith("bafkrei")
    assert posts[uri["wrapup"]].hashtags == ("jam", "wrapup")

    assert source.stats.posts == 6
    assert source.stats.skipped == [
        (
            "repo.car",
            "3 records that are not posts (1 app.bsky.actor.profile, 1 app.bsky.feed.like,"
            " 1 app.bsky.graph.follow): not imported",
        )
    ]
    assert ZOE_DID not in {p.author.id for p in sink.posts}


def test_a_cut_off_repository_file_is_reported(tmp_path):
    records, _ = jam_repo_records()
    path = tmp_path / "repo.car"
    write_repo(path, JAM_DID, records)
    path.write_bytes(path.read_bytes()[:-40])
    source, sink = _import(path)
    assert sink.posts == []
    [(where, reason)] = source.stats.skipped
    assert where == "repo.car" and "cannot read this Bluesky repository (CAR) file" in reason


def test_only_a_car_header_is_taken_for_a_repository():
    records, _ = jam_repo_records()
    from tests.fakes.car import Repo

    assert bluesky_car.is_car(Repo(JAM_DID, records).car()[:4096])
    for head in (b'{"did": "x"}\n', b":\n\ndata: {}\n", b"\x3a\xa1\x00", b"", b"\x80"):
        assert not bluesky_car.is_car(head)
    # A CAR header of another version, or without roots.
    for header in ({"roots": [], "version": 1}, {"roots": [], "version": 2}):
        data = libipld.encode_dag_cbor(header)
        assert not bluesky_car.is_car(bytes([len(data)]) + data)
