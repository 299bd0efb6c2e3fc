"""Sending email through the configured SMTP server (MailSettings): plain text, one message
at a time. Without a server configured nothing is sent and callers say so."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from app.settings import MailSettings


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message; the message says why."""


def send_mail(settings: MailSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text email to `to`; MailError if the server is not configured, is
    unreachable or refuses it."""
    if settings.host is None:
        raise MailError("no SMTP server is configured (ASSETMAP_SMTP_HOST)")
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username is not None:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as failed:
        raise MailError(f"the SMTP server {settings.host}:{settings.port}: {failed}") from failed
