"""The accounts dialog: sign-ins on worker threads, secrets only in the credential store."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLineEdit

from desktop.core.accounts import Account, AccountStore
from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.sources.bluesky import app_password_key, session_key
from desktop.ui.accounts_dialog import AccountsDialog
from tests.fakes.fake_bluesky import FakeBluesky
from tests.fakes.fake_mastodon import FakeMastodon
from tests.fakes.fake_x_api import FakeXApi


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def credentials(keyring) -> CredentialStore:
    return CredentialStore(backend=keyring)


@pytest.fixture
def store(tmp_path) -> AccountStore:
    return AccountStore(tmp_path / "accounts.json")


@pytest.fixture
def fake_x(monkeypatch):
    """X's API, which checks a bearer token before the dialog stores it."""
    with FakeXApi(bearer_token="AAAA-secret-bearer") as fake:
        monkeypatch.setenv("JAMDECK_X_API_BASE", fake.base_url)
        yield fake


@pytest.fixture
def make_dialog(qtbot, store):
    def make(credentials: CredentialStore, **kwargs) -> AccountsDialog:
        opened = []
        kwargs.setdefault("confirm", lambda question: True)
        dialog = AccountsDialog(credentials, store, url_opener=opened.append, **kwargs)
        dialog.opened = opened
        qtbot.addWidget(dialog)
        return dialog

    return make


def test_adding_a_bluesky_account_keeps_the_password_in_the_keyring_only(
    qtbot, make_dialog, credentials, keyring, store
):
    with FakeBluesky() as fake:
        service = fake.url
        dialog = make_dialog(credentials, bluesky_service=service)
        assert not dialog.warning.isVisibleTo(dialog)  # a real (here: memory) keyring
        assert dialog.b_password.echoMode() == QLineEdit.EchoMode.Password
        dialog.b_handle.setText("@jammer.test")
        dialog.b_password.setText(fake.password)
        with qtbot.waitSignal(dialog.accounts_changed, timeout=10_000):
            dialog.b_sign_in.click()
            assert dialog.busy and not dialog.tabs.isEnabled()  # the GUI thread did not wait
        assert len(fake.calls("com.atproto.server.createSession")) == 1

    assert [a.label for a in dialog.accounts()] == ["Bluesky — @jammer.test"]
    assert dialog.account_list.item(0).text() == "Bluesky — @jammer.test"
    assert credentials.get(app_password_key("jammer.test")) == fake.password
    assert credentials.get(session_key("jammer.test"))
    assert dialog.b_password.text() == ""  # the secret is not kept in the form
    saved = store.path.read_text()
    assert fake.password not in saved
    assert json.loads(saved)["accounts"][0]["instance"] == service
    assert "Added Bluesky — @jammer.test" in dialog.status.text()


def test_a_rejected_bluesky_password_is_explained_and_nothing_is_stored(
    qtbot, make_dialog, credentials, keyring, store
):
    with FakeBluesky() as fake:
        dialog = make_dialog(credentials, bluesky_service=fake.url)
        dialog.b_handle.setText(fake.handle)
        dialog.b_password.setText("wrong-wrong-0000")
        dialog.b_sign_in.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert "rejected the app password for @jammer.test" in dialog.status.text()
    assert "wrong-wrong-0000" not in dialog.status.text()
    assert dialog.status.property("error") is True
    assert keyring.secrets == {} and len(store) == 0


def test_without_a_keyring_the_dialog_says_credentials_last_this_session_only(qtbot, make_dialog):
    no_keyring = CredentialStore()  # the tests' null keyring backend: not usable
    assert not no_keyring.persistent
    dialog = make_dialog(no_keyring)
    assert dialog.warning.isVisibleTo(dialog)
    assert dialog.warning.text() == no_keyring.warning
    assert "for this session only" in dialog.warning.text()


def test_x_bearer_token_then_remove_forgets_the_secret(
    qtbot, make_dialog, credentials, keyring, store, fake_x
):
    dialog = make_dialog(credentials)
    dialog.x_name.setText("jam")
    dialog.x_bearer.setText("AAAA-secret-bearer")
    with qtbot.waitSignal(dialog.accounts_changed):
        dialog.x_save_bearer.click()
    assert dialog.account_list.item(0).text() == "X — jam (reads only)"
    assert credentials.get("x:jam:bearer") == "AAAA-secret-bearer"
    assert dialog.x_bearer.text() == ""
    assert "AAAA" not in store.path.read_text()

    assert dialog.select(dialog.accounts()[0].key)
    with qtbot.waitSignal(dialog.accounts_changed):
        dialog.remove_button.click()
    assert keyring.secrets == {} and dialog.accounts() == []


def test_mastodon_browser_sign_in_registers_opens_the_page_and_exchanges_the_code(
    qtbot, make_dialog, credentials, store, generated_dir
):
    with FakeMastodon(fixtures=generated_dir / "mastodon") as fake:
        url = fake.url
        dialog = make_dialog(credentials)
        dialog.tabs.setCurrentIndex(1)
        dialog.m_instance.setText(fake.url)
        dialog.m_name.setText("ann")
        dialog.m_authorize.click()
        qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.opened), timeout=10_000)
        assert dialog.opened[0].toString().startswith(fake.url + "/oauth/authorize?")
        dialog.m_code.setText("good-code")
        with qtbot.waitSignal(dialog.accounts_changed, timeout=10_000):
            dialog.m_finish.click()
    host = url.split("://", 1)[1]
    assert credentials.get(f"mastodon:{host}:ann:token") == fake.token
    assert dialog.account_list.item(0).text() == f"Mastodon — @ann on {host}"


def test_only_http_links_are_opened(qtbot, make_dialog, credentials):
    dialog = make_dialog(credentials)
    assert not dialog.open_url("file:///etc/passwd")
    assert not dialog.open_url("javascript:alert(1)")
    assert dialog.opened == [] and dialog.status.property("error") is True
    assert dialog.open_url("https://mastodon.example/oauth/authorize?x=1")
    assert len(dialog.opened) == 1


# ------------------------------------------------------------------ issue 21.6


def test_removing_an_account_asks_first(qtbot, make_dialog, credentials, store, fake_x):
    asked = []
    answer = [False]
    dialog = make_dialog(credentials, confirm=lambda q: asked.append(q) or answer[0])
    dialog.x_name.setText("jam")
    dialog.x_bearer.setText("AAAA-secret-bearer")
    with qtbot.waitSignal(dialog.accounts_changed, timeout=10_000):
        dialog.x_save_bearer.click()
    assert dialog.select(dialog.accounts()[0].key)
    assert not dialog.remove_selected()  # "Cancel"
    assert len(dialog.accounts()) == 1 and credentials.get("x:jam:bearer") == "AAAA-secret-bearer"
    assert asked and "Remove X — jam (reads only)" in asked[0]
    answer[0] = True
    with qtbot.waitSignal(dialog.accounts_changed):
        assert dialog.remove_selected()
    assert dialog.accounts() == []


def test_an_account_whose_credentials_are_gone_is_marked_sign_in_again(
    qtbot, make_dialog, store, keyring
):
    # The secrets were kept for one run only (no keyring): the next run lists the
    # account, with nothing behind it.
    first_run = CredentialStore(backend=keyring)
    make_dialog(first_run)
    first_run.set("mastodon:m.example:ann:token", "tok")
    store.add(Account(network="mastodon", name="ann", handle="@ann", instance="https://m.example"))
    store.add(Account(network="x", name="jam", can_act=True))
    dialog = make_dialog(CredentialStore(backend=keyring))
    mastodon, x = (a.key for a in dialog.accounts())
    assert not dialog.needs_sign_in(mastodon)
    assert dialog.needs_sign_in(x)
    texts = [dialog.account_list.item(r).text() for r in range(dialog.account_list.count())]
    assert texts[1] == "⚠ X — jam — sign in again"
    assert "add it again" in dialog.account_list.item(1).toolTip()


def test_a_pasted_mastodon_token_is_checked_with_the_instance_first(
    qtbot, make_dialog, credentials, store, generated_dir
):
    with FakeMastodon(fixtures=generated_dir / "mastodon") as fake:
        dialog = make_dialog(credentials)
        dialog.m_instance.setText(fake.url)
        dialog.m_token.setText("made-up-token")
        dialog.m_save_token.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        assert dialog.status.property("error") is True
        assert (
            dialog.accounts() == []
            and credentials.get(f"mastodon:{fake.url.split('://', 1)[1]}:default:token") is None
        )

        dialog.m_token.setText(fake.token)
        with qtbot.waitSignal(dialog.accounts_changed, timeout=10_000):
            dialog.m_save_token.click()
        assert any(r.path.endswith("/verify_credentials") for r in fake.requests)
    assert len(dialog.accounts()) == 1
    assert not dialog.needs_sign_in(dialog.accounts()[0].key)


def test_a_made_up_x_bearer_token_is_refused_and_not_stored(
    qtbot, make_dialog, credentials, keyring, fake_x
):
    dialog = make_dialog(credentials)
    dialog.x_name.setText("jam")
    dialog.x_bearer.setText("made-up-bearer")
    dialog.x_save_bearer.click()
    assert dialog.busy and "Checking the bearer token with X" in dialog.status.text()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.status.property("error") is True
    assert dialog.status.text().startswith("Not added: X rejected the credentials (401)")
    assert "made-up" not in dialog.status.text()
    assert dialog.accounts() == [] and keyring.secrets == {}
    assert dialog.x_bearer.text() == "made-up-bearer"  # to fix a typo, not type it again
    assert ("GET", "/2/tweets/search/stream/rules", {}) in fake_x.requests


def test_an_x_token_that_cannot_be_checked_is_not_stored_and_the_dialog_says_so(
    qtbot, make_dialog, credentials, keyring, monkeypatch
):
    with FakeXApi() as gone:
        url = gone.base_url
    monkeypatch.setenv("JAMDECK_X_API_BASE", url)  # nothing listens there any more
    dialog = make_dialog(credentials)
    dialog.x_bearer.setText("AAAA-secret-bearer")
    dialog.x_save_bearer.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.status.property("error") is True
    assert "Could not check the X credentials" in dialog.status.text()
    assert "nothing was stored" in dialog.status.text()
    assert dialog.accounts() == [] and keyring.secrets == {}
