"""The live benchmark runs and yields numbers (a smoke test: nothing here is timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(tmp_path: Path, *args: str) -> dict:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "JAMDECK_CONFIG_DIR": str(tmp_path / "config"),
        "JAMDECK_STATE_DIR": str(tmp_path / "state"),
        "JAMDECK_CACHE_DIR": str(tmp_path / "cache"),
        "JAMDECK_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.live_bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_latency_reports_each_network_from_the_fake_to_the_painted_row(tmp_path):
    result = run_bench(tmp_path, "latency", "--seconds", "1.5", "--rate", "5", "--burst", "3")
    for network in ("x", "mastodon", "bluesky"):
        figure = result[network]
        assert figure["count"] > 0, figure
        assert 0 < figure["p50_ms"] <= figure["p99_ms"] <= figure["max_ms"]
        assert figure["burst_last_ms"] is not None


def test_jetstream_cpu_reports_the_source_threads_share_of_a_core(tmp_path):
    result = run_bench(tmp_path, "jetstream_cpu", "--seconds", "1.5", "--tagged", "0.1")
    assert result["source_threads"] >= 1
    assert result["source_cpu_pct"] > 0
    assert result["frames_sent"] >= result["posts_sent"] > 0
    assert result["tagged_recorded"] == result["tagged_sent"]
