"""The ``email`` channel: one message per recipient over SMTP, STARTTLS and login as configured.

Every message carries ``Message-ID: <id@sender's domain>`` and ``X-Qalxan-Message-Id`` so that
a mail system can drop a repeat (delivery is at least once).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import ClassVar

import httpx
from email_validator import EmailNotValidError, validate_email

from qalxan.errors import InvalidInput
from qalxan.outbox.envelope import DeliveryError, Envelope, Rejected, describe
from qalxan.settings import Settings

CONTENT_TYPES = ("text/plain", "text/html")
TIMEOUT_SECONDS = 30.0


def check_address(address: str) -> str:
    """The address, normalised; :class:`InvalidInput` when it is not one mailbox."""
    try:
        return str(validate_email(address.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise InvalidInput(f"address: not an e-mail address: {exc}", field="address") from exc


@dataclass(frozen=True)
class Smtp:
    """Sends through one SMTP server. ``tls``: how its certificate is checked (default: the
    system's trusted authorities)."""

    host: str | None
    port: int
    sender: str | None
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    tls: ssl.SSLContext | None = None
    timeout: float = TIMEOUT_SECONDS

    holds: ClassVar[bool] = False

    def send(self, message: Envelope) -> None:
        if not self.host or not self.sender:
            raise DeliveryError("QALXAN_SMTP_HOST and QALXAN_SMTP_FROM must be set to send e-mail")
        mail = compose(message, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls or ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise Rejected(f"the server refused the recipient: {exc.recipients}") from exc
        except smtplib.SMTPDataError as exc:
            # A 5xx answer to the message itself will be the same next time.
            error = Rejected if exc.smtp_code >= 500 else DeliveryError
            raise error(describe(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(describe(exc)) from exc


def compose(message: Envelope, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.address
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "qalxan"
    mail["Message-ID"] = f"<{message.id}@{domain}>"
    mail["X-Qalxan-Message-Id"] = message.id
    for name, value in message.headers.items():
        mail[name] = value
    subtype = message.content_type.split(";")[0].strip().lower().removeprefix("text/")
    mail.set_content(message.body, subtype=subtype, charset="utf-8")
    return mail


def from_settings(settings: Settings, _client: httpx.Client) -> Smtp:
    return Smtp(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
