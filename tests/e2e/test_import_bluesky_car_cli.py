"""`jamdeck import repo.car`: a Bluesky repository export, written here in the real CAR
format, imported by the real command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.car import JAM_DID, jam_repo_records, write_repo


def jamdeck(*args, data_dir: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env=dict(os.environ, JAMDECK_DATA_DIR=str(data_dir)),
        timeout=120,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_a_bluesky_repository_export_imports_exactly_its_posts(tmp_path):
    records, rkeys = jam_repo_records()
    car = tmp_path / "repo.car"
    write_repo(car, JAM_DID, records)
    data = tmp_path / "data"
    proc = jamdeck("import", car, "--session", "host", data_dir=data)
    assert "Imported 6 new posts into session 'host'" in proc.stdout
    assert (
        "Skipped 1:\n  repo.car: 3 records that are not posts (1 app.bsky.actor.profile,"
        " 1 app.bsky.feed.like, 1 app.bsky.graph.follow): not imported"
    ) in proc.stdout

    rows = [
        json.loads(line)
        for line in jamdeck(
            "export", "host", "--format", "jsonl", data_dir=data
        ).stdout.splitlines()
    ]
    uri = f"at://{JAM_DID}/app.bsky.feed.post/"
    assert {row["id"]: (row["text"], row["hashtags"]) for row in rows} == {
        uri + rkeys["question"]: ("Q1 What makes a jam work? #jam", ["jam"]),
        uri + rkeys["answer"]: ("A1 hosts who listen #jam @zoe.bsky.social", ["jam"]),
        uri + rkeys["link"]: ("Notes from tonight: example.com/jam…", ["tweetjam"]),
        uri + rkeys["quote"]: ("So true #jam", ["jam"]),
        uri + rkeys["photo"]: ("東京のジャム #jam", ["jam"]),
        uri + rkeys["wrapup"]: ("Thanks all! #jam #wrapup", ["jam", "wrapup"]),
    }
    assert {row["network"] for row in rows} == {"bluesky"}
