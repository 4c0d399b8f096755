"""`kpi-xl report --mail TO` and `--webhook URL`, against real servers on loopback: a mail
server (aiosmtpd) and an HTTP server (http.server) started by the test."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from kpi_xl.cli import main
from kpi_xl.workbook.notify import webhook_kind
from kpi_xl.workbook.template import new


def run(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    assert "Traceback" not in res.output
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return new(tmp_path_factory.mktemp("notify") / "book.xlsx")


# -------------------------------------------------------------------------- mail

class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback (aiosmtpd checks its server by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_mail_sends_the_digest_to_each_address(book, smtp):
    inbox, port = smtp
    env = {"KPI_XL_SMTP_HOST": "127.0.0.1", "KPI_XL_SMTP_PORT": str(port), "KPI_XL_SMTP_STARTTLS": "0",
           "KPI_XL_SMTP_FROM": "kpi@example.com"}
    code, out, err = run("report", str(book), "--as-of", "2026-07-20", "--mail", "boss@example.com",
                         "--mail", "team@example.com", env=env)
    assert code == 0, err
    assert [(m[0], m[1]) for m in inbox.messages] == [("kpi@example.com", ["boss@example.com"]),
                                                      ("kpi@example.com", ["team@example.com"])]
    msg = inbox.messages[0][2]
    assert msg["Subject"] == "book: scorecard as of 2026-07-20"
    body = msg.get_body(("plain",)).get_content()
    assert "Status changes" in body and "S1 Won contract value North NT$18M in 2026: Behind \u2192 At risk" in body
    assert "Goals at risk" in body and "S4 Win rate 35% in the first half (Yi-Chun Lin)" in body
    assert "mailed the report to boss@example.com" in err


def test_mail_without_a_server_says_which_variable_to_set(book):
    code, _, err = run("report", str(book), "--mail", "boss@example.com", env={"KPI_XL_SMTP_HOST": ""})
    assert code == 1
    assert "set the environment variable KPI_XL_SMTP_HOST" in err


def test_mail_to_a_server_that_is_not_there(book, smtp):
    _, port = smtp
    env = {"KPI_XL_SMTP_HOST": "127.0.0.1", "KPI_XL_SMTP_PORT": "1", "KPI_XL_SMTP_STARTTLS": "0",
           "KPI_XL_SMTP_FROM": "kpi@example.com"}
    code, _, err = run("report", str(book), "--mail", "boss@example.com", env=env)
    assert code == 1
    assert "mail to boss@example.com through 127.0.0.1:1 was not sent" in err


# ---------------------------------------------------------------------- webhooks

@pytest.fixture
def hook():
    posts: list[tuple[str, dict]] = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            data = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append((self.path, self.headers["Content-Type"], json.loads(data)))
            self.send_response(status["code"])
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", posts, status
    finally:
        server.shutdown()
        server.server_close()


def test_slack_gets_text_and_blocks(book, hook):
    url, posts, _ = hook
    code, _, err = run("report", str(book), "--as-of", "2026-07-20", "--webhook", url + "/services/T0/B0/x",
                       "--link", "https://files.example.com/report.pdf")
    assert code == 0, err
    (path, ctype, body), = posts
    assert path == "/services/T0/B0/x" and ctype.startswith("application/json")
    assert body["text"] == "book: scorecard as of 2026-07-20"
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds[0] == "header" and set(kinds[1:]) == {"section"}
    sections = [b["text"]["text"] for b in body["blocks"][1:]]
    assert sections[0].startswith("*Status changes*\n\u2022 S1 Won contract value North NT$18M in 2026: Behind")
    assert any(s.startswith("*Goals at risk*") for s in sections)
    assert "<https://files.example.com/report.pdf>" in sections[-1]
    assert all(len(s) <= 3000 for s in sections)  # Slack's limit for a section's text


def test_teams_gets_an_adaptive_card(book, hook):
    url, posts, _ = hook
    code, _, err = run("report", str(book), "--as-of", "2026-07-20", "--webhook", url, "--webhook-kind", "teams",
                       "--link", "https://files.example.com/report.pdf")
    assert code == 0, err
    (_, _, body), = posts
    assert body["type"] == "message"
    (att,) = body["attachments"]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = att["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [b["text"] for b in card["body"]]
    assert texts[0] == "book: scorecard as of 2026-07-20"
    assert "Status changes" in texts and "Goals at risk" in texts
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the report",
                                "url": "https://files.example.com/report.pdf"}]


def test_the_kind_follows_the_host():
    assert webhook_kind("https://hooks.slack.com/services/T/B/x") == "slack"
    assert webhook_kind("https://contoso.webhook.office.com/webhookb2/abc") == "teams"
    assert webhook_kind("https://prod-12.westus.logic.azure.com:443/workflows/abc") == "teams"
    assert webhook_kind("https://chat.example.com/hooks/abc") == "slack"


def test_a_refusing_webhook_is_a_clean_error(book, hook):
    url, _, status = hook
    status["code"] = 500
    code, _, err = run("report", str(book), "--webhook", url)
    assert code == 1
    assert "webhook at 127.0.0.1 refused the message: HTTP 500" in err


def test_the_digest_has_this_periods_new_check_in_notes_only(book, tmp_path):
    from python_calamine import CalamineWorkbook

    from kpi_xl.workbook import layout
    from kpi_xl.workbook.package import open_package
    from kpi_xl.workbook.report import report

    mine = tmp_path / "notes.xlsx"
    mine.write_bytes(book.read_bytes())
    rows = CalamineWorkbook.from_path(str(mine)).get_sheet_by_name("Scorecard").to_python()
    note_col = [c[0] for c in layout.SCORECARD_COLUMNS].index("note") + 1
    # the sample's June note on S1 stays on the Scorecard: in July it is not new
    assert [r[0] for r in rows[1:] if r and r[note_col - 1]] == ["S1"]
    t4 = next(i for i, r in enumerate(rows, start=1) if r[0] == "T4")
    with open_package(mine) as pkg:
        pkg.write_region("Scorecard", t4, note_col, note_col, [["Backlog cleared by a weekend shift"]])
        pkg.save(mine, backup=False)
    digest = report(mine, as_of=dt.date(2026, 7, 20)).digest
    assert digest.notes == ["T4 Resolve 2,000 tickets in Q2: Backlog cleared by a weekend shift"]
    assert "New check-in notes\n- T4 Resolve 2,000 tickets in Q2: Backlog cleared" in digest.text()
