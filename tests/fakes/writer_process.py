"""A second writer in its own process, for the two-writers test.

    python -m tests.fakes.writer_process LIBRARY SESSION_ID FIRST LAST

Opens the library's writer, prints ``ready``, waits for a line on standard
input (so that both writers have opened the file before either writes), then
ingests posts FIRST..LAST-1 in small batches and prints ``done``.
"""

from __future__ import annotations

import sys

from desktop.core.normalize import Parsed
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post


def main(argv: list[str]) -> int:
    path, session_id, first, last = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    writer = StoreWriter(path)
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        futures = []
        for start in range(first, last, 25):
            posts = [
                make_post(n, handle=f"user{n % 40}", minutes=n / 100)
                for n in range(start, min(start + 25, last))
            ]
            futures.append(writer.ingest(session_id, Parsed(posts=posts)))
        failed = sum(1 for f in futures if f.exception() is not None)
    finally:
        writer.close()
    print(f"done failed={failed}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
