"""The accounts dialog: add and remove X, Mastodon and Bluesky accounts.

Secrets go only to the ``CredentialStore`` (the OS keyring, or memory for this
run with a visible warning); the account list (``AccountStore``) keeps only
network, name and instance. Every network call (X's request token, Mastodon's
app registration and code exchange, the Bluesky sign-in) runs on a worker
thread; its result comes back on the GUI thread. Secret fields are masked and
emptied once saved; no secret is ever shown again or logged.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.app import accounts as signin
from desktop.core import accounts as acc
from desktop.core.credentials import CredentialStore
from desktop.ui.trampoline import Trampoline

log = logging.getLogger("jamdeck.ui.accounts")

DEFAULT_BLUESKY_SERVICE = "https://bsky.social"


def _secret_field(parent: QWidget, placeholder: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def _plain_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _run_in_thread(fn: Callable[[], object]) -> concurrent.futures.Future:
    """``fn()`` on a short-lived worker thread (sign-ins block on the network)."""
    future: concurrent.futures.Future = concurrent.futures.Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to the GUI thread, shown to the user
            future.set_exception(exc)

    threading.Thread(target=work, name="jamdeck-sign-in").start()
    return future


class AccountsDialog(QDialog):
    """``credentials``: where secrets go; ``accounts``: the non-secret list.
    ``url_opener(QUrl)``: opens sign-in pages (tests record instead of opening a browser).

    Emits ``accounts_changed()`` after an account was added or removed.
    """

    accounts_changed = Signal()

    def __init__(
        self,
        credentials: CredentialStore,
        accounts: acc.AccountStore,
        *,
        url_opener: Callable[[QUrl], object] | None = None,
        confirm: Callable[[str], bool] | None = None,
        bluesky_service: str = DEFAULT_BLUESKY_SERVICE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountsDialog")
        self.setWindowTitle("Accounts")
        self._credentials = credentials
        self._accounts = accounts
        self._open_url = url_opener or QDesktopServices.openUrl
        self._confirm = confirm or self._ask
        self._gui = Trampoline(self)
        self._busy = False
        self._pin_flow = None  # X's PIN flow between "get link" and "finish"
        self._mastodon_app: tuple[str, str, str] | None = None  # instance, client id, secret
        self.opened_urls: list[str] = []

        self.warning = _plain_label("", self)
        self.warning.setObjectName("keyringWarning")
        self.warning.setStyleSheet(
            "#keyringWarning { background: #fff4e5; color: #8a4b00; border: 1px solid #f0c27b;"
            " border-radius: 6px; padding: 6px 8px; }"
        )

        self.account_list = QListWidget(self)
        self.account_list.setObjectName("accountList")
        self.account_list.currentItemChanged.connect(self._on_account_selected)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Remove the account and forget its credentials")
        self.remove_button.clicked.connect(self.remove_selected)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._x_tab(), "X")
        self.tabs.addTab(self._mastodon_tab(), "Mastodon")
        self.tabs.addTab(self._bluesky_tab(bluesky_service), "Bluesky")

        self.status = _plain_label("", self)
        self.status.setObjectName("accountsStatus")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        listed = QGroupBox("Your accounts", self)
        list_layout = QVBoxLayout(listed)
        list_layout.addWidget(self.account_list)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        list_layout.addLayout(remove_row)
        adding = QGroupBox("Add an account", self)
        add_layout = QVBoxLayout(adding)
        add_layout.addWidget(self.tabs)

        layout = QVBoxLayout(self)
        layout.addWidget(self.warning)
        layout.addWidget(listed)
        layout.addWidget(adding, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(560, 620)
        self.refresh()

    # ------------------------------------------------------------ tabs
    def _x_tab(self) -> QWidget:
        tab = QWidget(self)
        self.x_name = QLineEdit(tab)
        self.x_name.setPlaceholderText("a name for this account, e.g. jamhost")
        self.x_bearer = _secret_field(tab, "app bearer token (reading: stream and search)")
        self.x_save_bearer = QPushButton("Save bearer token", tab)
        self.x_save_bearer.clicked.connect(self.on_x_save_bearer)
        self.x_consumer_key = _secret_field(tab, "API key (consumer key)")
        self.x_consumer_secret = _secret_field(tab, "API key secret")
        self.x_get_pin = QPushButton("Open X's sign-in page", tab)
        self.x_get_pin.clicked.connect(self.on_x_start_pin)
        self.x_auth_url = QLineEdit(tab)
        self.x_auth_url.setReadOnly(True)
        self.x_auth_url.setPlaceholderText("the sign-in link appears here")
        self.x_pin = QLineEdit(tab)
        self.x_pin.setPlaceholderText("the PIN X shows after you approve")
        self.x_finish = QPushButton("Finish sign-in", tab)
        self.x_finish.clicked.connect(self.on_x_finish_pin)
        form = QFormLayout(tab)
        form.addRow("Name", self.x_name)
        form.addRow("Bearer token", self.x_bearer)
        form.addRow("", self.x_save_bearer)
        form.addRow(_plain_label("To retweet and post, sign in with the PIN flow:", tab))
        form.addRow("API key", self.x_consumer_key)
        form.addRow("API key secret", self.x_consumer_secret)
        form.addRow("", self.x_get_pin)
        form.addRow("Sign-in link", self.x_auth_url)
        form.addRow("PIN", self.x_pin)
        form.addRow("", self.x_finish)
        return tab

    def _mastodon_tab(self) -> QWidget:
        tab = QWidget(self)
        self.m_instance = QLineEdit(tab)
        self.m_instance.setPlaceholderText("mastodon.social")
        self.m_name = QLineEdit(tab)
        self.m_name.setPlaceholderText("your username on it (optional)")
        self.m_authorize = QPushButton("Sign in in the browser", tab)
        self.m_authorize.clicked.connect(self.on_mastodon_authorize)
        self.m_code = QLineEdit(tab)
        self.m_code.setPlaceholderText("the code the instance shows after you approve")
        self.m_finish = QPushButton("Finish sign-in", tab)
        self.m_finish.clicked.connect(self.on_mastodon_finish)
        self.m_token = _secret_field(tab, "or paste an access token")
        self.m_save_token = QPushButton("Save token", tab)
        self.m_save_token.clicked.connect(self.on_mastodon_save_token)
        form = QFormLayout(tab)
        form.addRow("Instance", self.m_instance)
        form.addRow("Account", self.m_name)
        form.addRow("", self.m_authorize)
        form.addRow("Code", self.m_code)
        form.addRow("", self.m_finish)
        form.addRow("Access token", self.m_token)
        form.addRow("", self.m_save_token)
        return tab

    def _bluesky_tab(self, service: str) -> QWidget:
        tab = QWidget(self)
        self.b_handle = QLineEdit(tab)
        self.b_handle.setPlaceholderText("you.bsky.social")
        self.b_password = _secret_field(tab, "an app password (Settings → App passwords)")
        self.b_service = QLineEdit(service, tab)
        self.b_sign_in = QPushButton("Sign in", tab)
        self.b_sign_in.clicked.connect(self.on_bluesky_sign_in)
        form = QFormLayout(tab)
        form.addRow("Handle", self.b_handle)
        form.addRow("App password", self.b_password)
        form.addRow("Service", self.b_service)
        form.addRow("", self.b_sign_in)
        return tab

    # ------------------------------------------------------------ the list
    def refresh(self) -> None:
        text = self._credentials.warning or (
            "" if self._credentials.persistent else "Credentials are kept for this session only."
        )
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        self.account_list.clear()
        for account in self._accounts:
            stale = signin.needs_sign_in(self._credentials, account)
            item = QListWidgetItem(f"⚠ {account.label} — sign in again" if stale else account.label)
            item.setData(Qt.ItemDataRole.UserRole, account)
            item.setData(Qt.ItemDataRole.UserRole + 1, stale)
            if stale:
                item.setForeground(QBrush(QColor("#c62828")))
                item.setToolTip(
                    "Its credentials are not stored any more (no keyring, or removed): "
                    "it cannot read or post until you add it again below."
                )
            self.account_list.addItem(item)
        if not len(self._accounts):
            placeholder = QListWidgetItem("No accounts yet: add one below.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.account_list.addItem(placeholder)
        self._on_account_selected()

    def accounts(self) -> list[acc.Account]:
        return list(self._accounts)

    def _on_account_selected(self, *_args) -> None:
        self.remove_button.setEnabled(self.selected_account() is not None and not self._busy)

    def selected_account(self) -> acc.Account | None:
        item = self.account_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, key: str) -> bool:
        for row in range(self.account_list.count()):
            account = self.account_list.item(row).data(Qt.ItemDataRole.UserRole)
            if account is not None and account.key == key:
                self.account_list.setCurrentRow(row)
                return True
        return False

    def needs_sign_in(self, key: str) -> bool:
        """Whether the listed account ``key`` is marked "sign in again"."""
        for row in range(self.account_list.count()):
            item = self.account_list.item(row)
            account = item.data(Qt.ItemDataRole.UserRole)
            if account is not None and account.key == key:
                return bool(item.data(Qt.ItemDataRole.UserRole + 1))
        return False

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Remove account",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def remove_selected(self) -> bool:
        account = self.selected_account()
        if account is None:
            return False
        question = (
            f"Remove {account.label} and forget its credentials? Answers waiting to be "
            "sent with it will not be sent."
        )
        if not self._confirm(question):
            return False
        signin.forget(self._credentials, self._accounts, account)
        self._say(f"Removed {account.label} and its credentials.")
        self.refresh()
        self.accounts_changed.emit()
        return True

    # ------------------------------------------------------------ background work
    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.tabs.setEnabled(not busy)
        self._on_account_selected()
        if message:
            self._say(message)

    def _say(self, message: str, *, error: bool = False) -> None:
        self.status.setText(message)
        self.status.setProperty("error", error)
        self.status.setStyleSheet("color: #c62828;" if error else "")

    def _start(
        self, fn: Callable[[], object], done: Callable[[object], None], message: str
    ) -> bool:
        """Run ``fn`` off the GUI thread; ``done(result)`` back on it. ``fn`` must not hold
        the dialog (its last reference would drop on the worker)."""
        if self._busy:
            return False
        self._set_busy(True, message)
        self._pending_done = done
        self._gui.when_done(_run_in_thread(fn), self._on_work_done)
        return True

    def _on_work_done(self, future: concurrent.futures.Future) -> None:
        self._set_busy(False)
        done, self._pending_done = self._pending_done, None
        exc = future.exception()
        if exc is not None:
            # Adapter errors are written for users and never carry the secret.
            log.info("sign-in failed: %s", type(exc).__name__)
            self._say(str(exc) or type(exc).__name__, error=True)
            return
        done(future.result())

    def _added(self, account: acc.Account) -> None:
        self.refresh()
        self.select(account.key)
        self._say(f"Added {account.label}.")
        self.accounts_changed.emit()

    def open_url(self, url: str) -> bool:
        """Open a sign-in page in the browser: only http(s) links."""
        qurl = QUrl(url)
        if qurl.scheme().lower() not in ("http", "https") or not qurl.host():
            self._say(f"Not opening a link that is not http(s): {url}", error=True)
            return False
        self.opened_urls.append(qurl.toString())
        self._open_url(qurl)
        return True

    # ------------------------------------------------------------ X
    def on_x_save_bearer(self) -> None:
        token = self.x_bearer.text().strip()
        if not token:
            self._say("Paste the app's bearer token first.", error=True)
            return
        credentials, accounts, name = self._credentials, self._accounts, self.x_name.text()

        def check_and_add():
            # X says whether the token works: a made-up or revoked one is refused here.
            signin.check_x_credentials(bearer_token=token)
            return signin.add_x_account(credentials, accounts, name=name, bearer_token=token)

        self._start(check_and_add, self._on_x_bearer_saved, "Checking the bearer token with X…")

    def _on_x_bearer_saved(self, account: acc.Account) -> None:
        self.x_bearer.clear()
        self._added(account)

    def on_x_start_pin(self) -> None:
        key, secret = self.x_consumer_key.text().strip(), self.x_consumer_secret.text().strip()
        if not key or not secret:
            self._say("The PIN flow needs the app's API key and secret.", error=True)
            return

        def start():
            flow = signin.x_pin_flow(consumer_key=key, consumer_secret=secret)
            return flow, flow.authorization_url()

        self._start(start, self._on_x_pin_link, "Asking X for a sign-in link…")

    def _on_x_pin_link(self, result) -> None:
        self._pin_flow, url = result
        self.x_auth_url.setText(url)
        self.open_url(url)
        self._say("Approve JamDeck in the browser, then type the PIN X shows.")
        self.x_pin.setFocus()

    def on_x_finish_pin(self) -> None:
        flow, pin = self._pin_flow, self.x_pin.text().strip()
        if flow is None or not pin:
            self._say("Open X's sign-in page first, then type the PIN.", error=True)
            return
        credentials, accounts = self._credentials, self._accounts
        name = self.x_name.text()
        key, secret = self.x_consumer_key.text().strip(), self.x_consumer_secret.text().strip()

        def finish():
            token, token_secret = flow.finish(pin)
            username = signin.check_x_credentials(
                consumer_key=key,
                consumer_secret=secret,
                access_token=token,
                access_token_secret=token_secret,
            )
            return signin.add_x_account(
                credentials,
                accounts,
                name=name.strip() or username,
                consumer_key=key,
                consumer_secret=secret,
                access_token=token,
                access_token_secret=token_secret,
            )

        self._start(finish, self._on_x_signed_in, "Finishing the sign-in with X…")

    def _on_x_signed_in(self, account: acc.Account) -> None:
        self._pin_flow = None
        for field in (self.x_consumer_key, self.x_consumer_secret, self.x_pin, self.x_auth_url):
            field.clear()
        self._added(account)

    # ------------------------------------------------------------ Mastodon
    def on_mastodon_authorize(self) -> None:
        instance = self.m_instance.text().strip()
        if not instance:
            self._say("Type the instance's address first (e.g. mastodon.social).", error=True)
            return

        def register():
            client_id, client_secret, url = signin.mastodon_register(instance)
            return instance, client_id, client_secret, url

        self._start(register, self._on_mastodon_registered, f"Registering JamDeck on {instance}…")

    def _on_mastodon_registered(self, result) -> None:
        instance, client_id, client_secret, url = result
        self._mastodon_app = (instance, client_id, client_secret)
        self.open_url(url)
        self._say("Approve JamDeck in the browser, then paste the code the instance shows.")
        self.m_code.setFocus()

    def on_mastodon_finish(self) -> None:
        code = self.m_code.text().strip()
        if self._mastodon_app is None or not code:
            self._say("Sign in in the browser first, then paste the code.", error=True)
            return
        instance, client_id, client_secret = self._mastodon_app
        credentials, accounts, name = self._credentials, self._accounts, self.m_name.text()

        def exchange():
            token = signin.mastodon_exchange(
                instance, client_id=client_id, client_secret=client_secret, code=code
            )
            return signin.add_mastodon_account(
                credentials, accounts, instance_url=instance, token=token, name=name
            )

        self._start(exchange, self._on_mastodon_signed_in, "Finishing the sign-in…")

    def _on_mastodon_signed_in(self, account: acc.Account) -> None:
        self._mastodon_app = None
        self.m_code.clear()
        self._added(account)

    def on_mastodon_save_token(self) -> None:
        instance, token = self.m_instance.text().strip(), self.m_token.text().strip()
        if not instance or not token:
            self._say("Type the instance and paste the token.", error=True)
            return
        credentials, accounts, name = self._credentials, self._accounts, self.m_name.text()

        def check_and_add():
            # The instance says whose token it is: a fake or revoked one is refused here.
            acct = signin.check_mastodon_token(instance, token)
            return signin.add_mastodon_account(
                credentials,
                accounts,
                instance_url=instance,
                token=token,
                name=name.strip() or acct.split("@", 1)[0],
            )

        self._start(
            check_and_add, self._on_mastodon_token_saved, f"Checking the token with {instance}…"
        )

    def _on_mastodon_token_saved(self, account: acc.Account) -> None:
        self.m_token.clear()
        self._added(account)

    # ------------------------------------------------------------ Bluesky
    def on_bluesky_sign_in(self) -> None:
        handle, password = self.b_handle.text().strip(), self.b_password.text()
        service = self.b_service.text().strip() or DEFAULT_BLUESKY_SERVICE
        if not handle or not password:
            self._say("Type your handle and an app password.", error=True)
            return
        credentials, accounts = self._credentials, self._accounts

        def sign_in():
            return signin.add_bluesky_account(
                credentials, accounts, handle=handle, app_password=password, service=service
            )

        self._start(sign_in, self._on_bluesky_signed_in, f"Signing in as @{handle.lstrip('@')}…")

    def _on_bluesky_signed_in(self, account: acc.Account) -> None:
        self.b_password.clear()
        self._added(account)
