"""The account list: metadata in accounts.json, secrets only in the credential store."""

from __future__ import annotations

import json
import socket

import pytest

from desktop.app import accounts as signin
from desktop.core import accounts as acc
from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.sources.base import SourceAuthError, SourceOfflineError
from desktop.sources.bluesky import app_password_key, session_key
from tests.fakes.fake_bluesky import FakeBluesky
from tests.fakes.fake_x_api import FakeXApi


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def credentials(keyring) -> CredentialStore:
    return CredentialStore(backend=keyring)


@pytest.fixture
def store(tmp_path) -> acc.AccountStore:
    return acc.AccountStore(tmp_path / "accounts.json")


@pytest.fixture
def fake():
    with FakeBluesky() as server:
        yield server


def test_the_default_file_is_in_the_config_dir(isolated_profile):
    assert acc.AccountStore().path == isolated_profile / "config" / "accounts.json"


def test_bluesky_sign_in_stores_secrets_in_the_keyring_and_only_metadata_in_the_file(
    fake, credentials, keyring, store
):
    account = signin.add_bluesky_account(
        credentials, store, handle="@Jammer.test", app_password=fake.password, service=fake.url
    )

    assert account.name == "jammer.test" and account.instance == fake.url
    assert credentials.get(app_password_key("jammer.test")) == fake.password
    assert credentials.get(session_key("jammer.test")).startswith("jammer.test:::")
    assert len(fake.calls("com.atproto.server.createSession")) == 1
    text = store.path.read_text()
    assert fake.password not in text and ":::" not in text
    saved = json.loads(text)["accounts"]
    assert saved == [account.to_json()]
    # A "restart" reads the same list back.
    again = acc.AccountStore(store.path)
    assert [a.label for a in again] == ["Bluesky — @jammer.test"]
    assert again.networks() == ["bluesky"]


def test_a_wrong_app_password_stores_nothing(fake, credentials, keyring, store):
    with pytest.raises(SourceAuthError, match="rejected the app password"):
        signin.add_bluesky_account(
            credentials, store, handle=fake.handle, app_password="wrong-0000", service=fake.url
        )
    assert keyring.secrets == {}
    assert len(store) == 0 and not store.path.exists()


def test_x_account_reads_only_with_a_bearer_and_acts_with_user_context(credentials, store):
    reader = signin.add_x_account(credentials, store, name="jam", bearer_token="AAAA-bearer")
    assert not reader.can_act and reader.label == "X — jam (reads only)"
    assert store.networks() == ["x"] and store.networks(acting=True) == []

    actor = signin.add_x_account(
        credentials,
        store,
        name="jam",
        consumer_key="ck",
        consumer_secret="cs",
        access_token="42-at",
        access_token_secret="ats",
    )
    assert actor.can_act and len(store) == 1  # same account, signed in again
    assert credentials.get("x:jam:bearer") == "AAAA-bearer"
    assert "AAAA-bearer" not in store.path.read_text()

    with pytest.raises(ValueError):
        signin.add_x_account(credentials, store, name="empty")


def test_mastodon_token_and_forgetting_every_secret(credentials, keyring, store):
    account = signin.add_mastodon_account(
        credentials, store, instance_url="mastodon.example/", name="@ann", token=" tok-123 "
    )
    assert account.instance == "https://mastodon.example"
    assert account.label == "Mastodon — @ann on mastodon.example"
    assert credentials.get("mastodon:mastodon.example:ann:token") == "tok-123"

    bluesky = acc.Account(network="bluesky", name="bo.test", instance="https://pds.example")
    store.add(bluesky)
    credentials.set(session_key("bo.test"), "session")
    credentials.set(app_password_key("bo.test"), "pw")

    signin.forget(credentials, store, account)
    signin.forget(credentials, store, bluesky)
    assert keyring.secrets == {}
    assert acc.AccountStore(store.path).accounts() == []


def test_a_broken_file_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text("{not json")
    with pytest.raises(acc.AccountsFileError):
        acc.AccountStore(path)
    assert path.read_text() == "{not json"


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_x_credentials_are_checked_with_x_before_they_are_stored(monkeypatch):
    user = {
        "consumer_key": "ck-test",
        "consumer_secret": "cs",
        "access_token": "4242-at-test",
        "access_token_secret": "ats",
    }
    with FakeXApi(username="jamhost") as fake:
        monkeypatch.setenv("JAMDECK_X_API_BASE", fake.base_url)
        assert signin.check_x_credentials(**user) == "jamhost"
        assert signin.check_x_credentials(bearer_token="test-bearer") == ""
        with pytest.raises(SourceAuthError, match=r"Not added: X rejected the credentials \(401\)"):
            signin.check_x_credentials(**{**user, "access_token": "4242-made-up"})
        with pytest.raises(SourceAuthError, match=r"\(401\)"):
            signin.check_x_credentials(bearer_token="made-up-bearer")
        paths = [path for _method, path, _query in fake.requests]
    assert paths.count("/2/users/me") == 2
    assert paths.count("/2/tweets/search/stream/rules") == 2

    monkeypatch.setenv("JAMDECK_X_API_BASE", _closed_port_url())
    with pytest.raises(SourceOfflineError, match="Could not check the X credentials.*nothing was"):
        signin.check_x_credentials(bearer_token="test-bearer")
