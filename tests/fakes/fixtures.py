"""Where the recorded payloads (../shared/fixtures) are, for tests and fakes alike."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def fixtures_root() -> Path:
    """``$JAMDECK_FIXTURES``, else ``shared/fixtures`` beside the checkout (CI clones
    the repository next to ``shared/``)."""
    if os.environ.get("JAMDECK_FIXTURES"):
        return Path(os.environ["JAMDECK_FIXTURES"])
    return Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def missing_reason(path: Path) -> str:
    return f"recorded payloads not found at {path} (JAMDECK_FIXTURES to point elsewhere)"


def require_fixtures(*parts: str) -> Path:
    """The fixture folder/file, or skip the test that needs it, saying where we looked."""
    path = fixtures_root().joinpath(*parts)
    if not path.exists():
        pytest.skip(missing_reason(path))
    return path


def recorded_posts(paths) -> list:
    """Every post, primary and referenced, that the archive reader and the
    normalizers find in ``paths`` (payloads they refuse are left out)."""
    from desktop.core.normalize import MalformedPayload
    from desktop.core.normalize.detect import normalize_document
    from desktop.sources.replay import read_documents

    posts = []
    for path in paths:
        for doc in read_documents(path, on_error=lambda *_: None):
            try:
                parsed = normalize_document(doc.obj)
            except MalformedPayload:
                continue
            posts += [*parsed.posts, *parsed.referenced]
    return posts
