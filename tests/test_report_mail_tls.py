"""`kpi-xl report --mail TO` to a mail server that wants STARTTLS and a login, as a company's
or a provider's does: aiosmtpd on loopback with a certificate made by the test (trustme), AUTH
offered only after STARTTLS, and a login checked against KPI_XL_SMTP_USER / KPI_XL_SMTP_PASSWORD."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import keyring
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from keyring.backend import KeyringBackend

from kpi_xl.workbook.template import new
from test_report_notify import book, run  # noqa: F401 - the CLI runner and the sample book (a fixture)

USER, PASSWORD = "kpi@example.com", "app-password 1"


class Inbox:
    def __init__(self):
        self.messages, self.logins = [], []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, session.ssl is not None))
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)  # 535 when wrong

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), session.ssl is not None,
                              session.authenticated))
        return "250 OK"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server(ca, tmp_path):
    """A mail server on loopback: STARTTLS with a certificate for 127.0.0.1, AUTH only over TLS,
    mail only after a login. Yields the inbox, the port and the file of the authority that signed it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    authority = tmp_path / "company-ca.pem"
    ca.cert_pem.write_to_path(str(authority))
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_require_tls=True, auth_required=True, authenticator=inbox.authenticate)
    controller.start()
    try:
        yield inbox, port, authority
    finally:
        controller.stop()


def settings(port: int, authority: Path, **more: str) -> dict:
    return {"KPI_XL_SMTP_HOST": "127.0.0.1", "KPI_XL_SMTP_PORT": str(port), "KPI_XL_SMTP_USER": USER,
            "KPI_XL_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(authority), **more}


def test_starttls_then_login_then_the_mail(book, server):
    inbox, port, authority = server
    code, _, err = run("report", str(book), "--as-of", "2026-07-20", "--mail", "boss@example.com",
                       env=settings(port, authority))
    assert code == 0, err
    assert inbox.logins == [(USER, True)]  # logged in once, over TLS
    assert inbox.messages == [(USER, ["boss@example.com"], True, True)]  # sender defaults to the user name
    assert "mailed the report to boss@example.com" in err


def test_a_wrong_password_is_one_line_naming_the_setting(book, server):
    inbox, port, authority = server
    code, out, err = run("report", str(book), "--mail", "boss@example.com",
                         env=settings(port, authority, KPI_XL_SMTP_PASSWORD="wrong"))
    assert code == 1  # docs/schedule.md: exit codes of kpi-xl report
    lines = [line for line in err.splitlines() if line.strip() and "refreshing" not in line]
    assert len(lines) == 1, err
    assert f"refused the login of {USER}" in lines[0] and "535" in lines[0]
    assert "KPI_XL_SMTP_PASSWORD" in lines[0] and "KPI_XL_SMTP_USER" in lines[0]
    assert PASSWORD not in err and "wrong" not in err  # a password is never shown
    assert inbox.messages == []


def test_zh_tw_wrong_password_in_chinese(tmp_path, server):
    inbox, port, authority = server
    book = new(tmp_path / "zh.xlsx", lang="zh-TW")
    code, _, err = run("report", str(book), "--mail", "boss@example.com", "--quiet",
                       env=settings(port, authority, KPI_XL_SMTP_PASSWORD="wrong"))
    assert code == 1
    assert "\u62d2\u7d55" in err and "KPI_XL_SMTP_PASSWORD" in err  # 拒絕
    assert len(err.strip().splitlines()) == 1


def test_an_untrusted_certificate_says_where_to_name_the_authority(book, server):
    inbox, port, authority = server
    env = settings(port, authority)
    env["SSL_CERT_FILE"] = str(authority.with_name("missing.pem"))  # the system's authorities: not ours
    code, _, err = run("report", str(book), "--mail", "boss@example.com", "--quiet", env=env)
    assert code == 1
    assert "certificate is not trusted" in err and "SSL_CERT_FILE" in err
    assert inbox.logins == [] and inbox.messages == []  # the password never left over plain text


def test_no_starttls_then_no_login_offered(book, server):
    inbox, port, authority = server
    code, _, err = run("report", str(book), "--mail", "boss@example.com", "--quiet",
                       env=settings(port, authority, KPI_XL_SMTP_STARTTLS="0"))
    assert code == 1
    assert "KPI_XL_SMTP_STARTTLS=1" in err
    assert inbox.logins == [] and inbox.messages == []


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


def test_the_password_from_the_keyring(book, server):
    inbox, port, authority = server
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    ring.set_password("kpi-xl", USER, PASSWORD)  # what `keyring set kpi-xl kpi@example.com` stores
    keyring.set_keyring(ring)
    try:
        code, _, err = run("report", str(book), "--mail", "boss@example.com", "--quiet",
                           env=settings(port, authority, KPI_XL_SMTP_PASSWORD=""))
    finally:
        keyring.set_keyring(before)
    assert code == 0, err
    assert inbox.logins == [(USER, True)] and len(inbox.messages) == 1
