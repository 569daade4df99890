"""Logging: a rotating file in the state dir, stderr by verbosity, and tokens never written."""

from __future__ import annotations

import logging

import pytest

from desktop.core import logs
from desktop.core.logs import REDACTED, redact, setup_logging


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("jamdeck").level)
    yield
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[1])
    logging.getLogger("jamdeck").setLevel(saved[2])


SECRETS = [
    # (a line a library or our code might log, the secret in it)
    (
        "GET https://mastodon.social/api/v1/timelines/tag/jam?access_token=Zx9aQ3-abcdefGHIJ12345&limit=40",
        "Zx9aQ3-abcdefGHIJ12345",
    ),
    (
        "headers {'Authorization': 'Bearer AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRi'}",
        "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRi",
    ),
    (
        '{"accessJwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJl"}',
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJl",
    ),
    (
        "session refreshed: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig_nature-part",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig_nature-part",
    ),
    (
        "createSession for jam.bsky.social with abcd-efgh-ijkl-mnop was refused",
        "abcd-efgh-ijkl-mnop",
    ),
    ('{"identifier": "me", "password": "hunter2"}', "hunter2"),
    (
        "oauth_token_secret=Wq3rT5yU7iO9pA1sD3fG5hJ7kL9zX1cV&oauth_verifier=1234567",
        "Wq3rT5yU7iO9pA1sD3fG5hJ7kL9zX1cV",
    ),
    (
        "consumer secret 0123456789abcdef0123456789abcdef01 loaded",
        "0123456789abcdef0123456789abcdef01",
    ),
    (
        "token was Xy7kP2mQ9rT4vW8zA1bC3dE5fG6hJ0kL2nM4pR6sT8u (43 chars)",
        "Xy7kP2mQ9rT4vW8zA1bC3dE5fG6hJ0kL2nM4pR6sT8u",
    ),
    (
        "X access token 1234567890-Xy7kP2mQ9rT4vW8zA1bC3dE5fG6hJ0kL2nM4p",
        "Xy7kP2mQ9rT4vW8zA1bC3dE5fG6hJ0kL2nM4p",
    ),
]


@pytest.mark.parametrize(("line", "secret"), SECRETS)
def test_redact_masks_every_kind_of_token(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_redact_keeps_the_ids_and_addresses_a_log_needs():
    line = (
        "post at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3kxyzabc "
        "cid bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5l4ejoxqxvtsshi id 1790000000000000000 "
        "https://mastodon.social/users/host/statuses/113456789012345678 "
        "session 123e4567-e89b-12d3-a456-426614174000 #socbizchat"
    )
    assert redact(line) == line


def test_file_and_stderr_get_redacted_records(tmp_path, capsys):
    log_path = setup_logging(verbose=False, state_dir=tmp_path / "state")
    assert log_path == tmp_path / "state" / "jamdeck.log"
    log = logging.getLogger("jamdeck.sources.mastodon")
    log.info("polling with access_token=%s", "Zx9aQ3-abcdefGHIJ12345")
    log.debug("a debug line nobody asked for")
    log.warning("stream closed: Bearer %s", "AAAAsecretAAAA")
    try:
        raise RuntimeError("401 for https://x.test/?access_token=Zx9aQ3-abcdefGHIJ12345")
    except RuntimeError:
        log.exception("request failed")
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = log_path.read_text(encoding="utf-8")
    assert "jamdeck.sources.mastodon INFO: polling with access_token=[REDACTED]" in text
    assert "stream closed: Bearer [REDACTED]" in text
    assert "RuntimeError: 401 for https://x.test/?access_token=[REDACTED]" in text
    assert "a debug line" not in text
    assert "Zx9aQ3" not in text and "AAAAsecretAAAA" not in text

    err = capsys.readouterr().err
    assert "polling" not in err  # INFO stays out of stderr without --verbose
    assert "stream closed: Bearer [REDACTED]" in err
    assert "AAAAsecretAAAA" not in err and "Zx9aQ3" not in err


def test_verbose_sends_debug_to_stderr_and_calling_twice_does_not_duplicate(tmp_path, capsys):
    setup_logging(verbose=False, state_dir=tmp_path)
    setup_logging(verbose=True, state_dir=tmp_path)
    logging.getLogger("jamdeck.store").debug("batch of %d committed", 12)
    err = capsys.readouterr().err
    assert err.count("jamdeck.store DEBUG: batch of 12 committed") == 1
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_jamdeck_handler", False)]
    assert len(ours) == 2


def test_log_file_rotates_at_one_megabyte_keeping_five(tmp_path, monkeypatch):
    assert (logs.MAX_BYTES, logs.BACKUP_COUNT) == (1_000_000, 5)
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)  # the same rotation, smaller numbers
    setup_logging(verbose=False, state_dir=tmp_path)
    log = logging.getLogger("jamdeck.ingest")
    for i in range(200):
        log.info("line %03d %s", i, "x" * 80)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["jamdeck.log"] + [f"jamdeck.log.{n}" for n in range(1, 6)]
    assert all(p.stat().st_size <= 2_000 for p in tmp_path.iterdir())


def test_unwritable_state_dir_still_logs_to_stderr(tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    assert setup_logging(verbose=False, state_dir=blocker / "state") is None
    logging.getLogger("jamdeck.cli").error("still visible")
    err = capsys.readouterr().err
    assert "cannot write a log file" in err
    assert "jamdeck.cli ERROR: still visible" in err
