"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it is sent, for the
tests of the emails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from app.settings import MailSettings


@dataclass
class Mailbox:
    """What the server received, and the settings that send to it."""

    settings: MailSettings
    messages: list[Message] = field(default_factory=list)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


class _Keeper:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.box.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


@contextmanager
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on a free loopback port for as long as the block runs."""
    from tests.conftest import free_port

    port = free_port()
    box = Mailbox(MailSettings(host="127.0.0.1", port=port))
    controller = Controller(_Keeper(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
