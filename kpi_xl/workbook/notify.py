"""Send a report where people already talk: by e-mail (SMTP) and to a chat's incoming webhook.

Mail settings come from the environment, never from the workbook:

=========================  =====================================================
``KPI_XL_SMTP_HOST``       the SMTP server (required to send mail)
``KPI_XL_SMTP_PORT``       its port (default 587 with STARTTLS, else 25)
``KPI_XL_SMTP_USER``       user name to log in with (no login when unset)
``KPI_XL_SMTP_PASSWORD``   its password (else the OS keyring: service ``kpi-xl``, user the user name)
``KPI_XL_SMTP_FROM``       the sender (default: the user name)
``KPI_XL_SMTP_STARTTLS``   1 (default) to switch to TLS before logging in, 0 not to
=========================  =====================================================

The password is looked up as a source's is (:mod:`kpi_xl.workbook.connect`): the environment
first, then the OS keyring (``keyring set kpi-xl kpi@example.com``). The server's certificate is
checked against the system's authorities (``SSL_CERT_FILE`` names a company's own). A refused
login says which settings to check; it is never retried.

Webhooks: Slack (and the chats that take Slack's format: Mattermost, Rocket.Chat) get
``{"text": ..., "blocks": [...]}``; Microsoft Teams (a Workflows or Power Automate
"post to a channel when a webhook request is received" URL, or a legacy Office 365
connector) gets an Adaptive Card in a ``message``. The kind is taken from the URL's host
(``*.slack.com`` Slack; ``*.webhook.office.com``, ``*.logic.azure.com``,
``*.powerplatform.com``, ``*.powerautomate.com`` Teams; else Slack) unless given.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from .. import i18n
from .connect import KEYRING_SERVICE
from .package import WorkbookError
from .report import Digest

N_, Message = i18n.N_, i18n.Message

TEAMS_HOSTS = ("webhook.office.com", "logic.azure.com", "powerplatform.com", "powerautomate.com")
#: Seconds a mail server or a webhook may take to answer.
TIMEOUT = 60.0


class NotifyError(WorkbookError):
    """Mail or a webhook post that could not be sent (the message says why and what to set)."""


# -------------------------------------------------------------------------- mail

def send_mail(to: list[str], digest: Digest, pdf: Path | None = None,
              env: Mapping[str, str] = os.environ) -> None:
    """Mail ``digest`` (with ``pdf`` attached) to ``to`` through the SMTP server ``env`` names."""
    lang = digest.lang
    host = env.get("KPI_XL_SMTP_HOST", "").strip()
    if not host:
        raise NotifyError(Message(N_("to send mail, set the environment variable KPI_XL_SMTP_HOST to your mail "
                                     "server (and KPI_XL_SMTP_PORT, KPI_XL_SMTP_USER, KPI_XL_SMTP_PASSWORD, "
                                     "KPI_XL_SMTP_FROM as needed)")).text(lang))
    starttls = env.get("KPI_XL_SMTP_STARTTLS", "1").strip().lower() not in ("0", "no", "false", "off")
    try:
        port = int(env.get("KPI_XL_SMTP_PORT", "") or (587 if starttls else 25))
    except ValueError:
        raise NotifyError(Message(N_("KPI_XL_SMTP_PORT is '{value}', not a port number"),
                                  value=env.get("KPI_XL_SMTP_PORT")).text(lang)) from None
    user = env.get("KPI_XL_SMTP_USER", "").strip()
    password = env.get("KPI_XL_SMTP_PASSWORD", "") or (_keyring(user) if user else None) or ""
    sender = env.get("KPI_XL_SMTP_FROM", "") or user
    if not sender:
        raise NotifyError(Message(N_("to send mail, set KPI_XL_SMTP_FROM to the sender's address")).text(lang))
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = digest.title, sender, ", ".join(to)
    msg.set_content(digest.text() + "\n")
    if pdf is not None:
        msg.add_attachment(Path(pdf).read_bytes(), maintype="application", subtype="pdf", filename=Path(pdf).name)
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT) as smtp:
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
            if user:
                smtp.login(user, password)
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise NotifyError(Message(N_(
            "mail server {host}:{port} refused the login of {user} ({code} {reason}): check KPI_XL_SMTP_USER "
            "and KPI_XL_SMTP_PASSWORD (or the keyring: service '{service}', user '{user}')"), host=host, port=port,
            user=user, code=exc.smtp_code, reason=_one_line(exc.smtp_error), service=KEYRING_SERVICE).text(lang)) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise NotifyError(Message(N_(
            "mail server {host}:{port}: {error}; set KPI_XL_SMTP_STARTTLS=1 if it needs TLS, or leave "
            "KPI_XL_SMTP_USER empty if it takes mail without a login"), host=host, port=port,
            error=_one_line(str(exc))).text(lang)) from None
    except ssl.SSLCertVerificationError as exc:
        raise NotifyError(Message(N_(
            "mail server {host}:{port}: its certificate is not trusted ({error}); if your company signs its "
            "own, name that authority's file in the environment variable SSL_CERT_FILE"), host=host, port=port,
            error=exc.verify_message or exc.reason).text(lang)) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(Message(N_("mail to {to} through {host}:{port} was not sent: {error}"),
                                  to=", ".join(to), host=host, port=port, error=str(exc) or type(exc).__name__
                                  ).text(lang)) from None


def _one_line(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())


def _keyring(user: str) -> str | None:
    """The SMTP user's password in the OS keyring (service ``kpi-xl``), if there is one."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # noqa: BLE001 - no keyring backend on a server: the environment is the way
        return None


# ----------------------------------------------------------------------- webhooks

def webhook_kind(url: str, kind: str = "auto") -> str:
    """"slack" or "teams": as given, or by the URL's host."""
    if kind != "auto":
        return kind
    host = (urlsplit(url).hostname or "").lower()
    return "teams" if any(host == h or host.endswith("." + h) for h in TEAMS_HOSTS) else "slack"


def _sections(d: Digest) -> list[tuple[str, list[str]]]:
    out = [(i18n.gettext(h, d.lang), items) for h, items in (
        (N_("Status changes"), d.changes), (N_("Goals at risk"), d.at_risk), (N_("New check-in notes"), d.notes))
        if items]
    return out or [("", [i18n.gettext(N_("No status changes, no goal at risk, no new check-in note."), d.lang)])]


def slack_payload(d: Digest, link: str | None = None) -> dict:
    """Slack's incoming-webhook JSON: ``text`` (notifications, fallback) and ``blocks``."""
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": d.title[:150]}}]
    for head, items in _sections(d):
        body = (f"*{head}*\n" if head else "") + "\n".join(f"\u2022 {i}" for i in items)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:2990]}})
    if link:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{link}>"}})
    return {"text": d.title, "blocks": blocks}


def teams_payload(d: Digest, link: str | None = None) -> dict:
    """A Teams message holding an Adaptive Card (what Workflows webhooks and connectors take)."""
    body: list[dict] = [{"type": "TextBlock", "text": d.title, "weight": "Bolder", "size": "Medium", "wrap": True}]
    for head, items in _sections(d):
        if head:
            body.append({"type": "TextBlock", "text": head, "weight": "Bolder", "wrap": True, "spacing": "Medium"})
        body.append({"type": "TextBlock", "text": "\n".join(f"- {i}" for i in items), "wrap": True})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body}
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": i18n.gettext(N_("Open the report"), d.lang),
                            "url": link}]
    return {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                                                "contentUrl": None, "content": card}]}


def post_webhook(url: str, digest: Digest, kind: str = "auto", link: str | None = None) -> str:
    """Post ``digest`` to an incoming webhook; returns the kind of JSON sent."""
    kind = webhook_kind(url, kind)
    payload = teams_payload(digest, link) if kind == "teams" else slack_payload(digest, link)
    if urlsplit(url).scheme not in ("http", "https"):
        raise NotifyError(Message(N_("webhook {url}: not an http(s) address"), url=url).text(digest.lang))
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    host = urlsplit(url).hostname or url
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - http(s) only, checked above
            answer.read()
    except urllib.error.HTTPError as exc:
        raise NotifyError(Message(N_("webhook at {host} refused the message: HTTP {status} {reason}"), host=host,
                                  status=exc.code, reason=exc.reason).text(digest.lang)) from None
    except (OSError, urllib.error.URLError) as exc:
        raise NotifyError(Message(N_("webhook at {host} could not be reached: {error}"), host=host,
                                  error=str(getattr(exc, "reason", exc))).text(digest.lang)) from None
    return kind
