"""Another directory's Open Referral UK API on 127.0.0.1, for the import's tests: its
pages and services as the test sets them, every request it was sent kept."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Answer:
    """What the directory answers to one request: a status and a body (JSON unless bytes);
    `short_by` bytes promised in Content-Length but never sent (a connection dropped
    half-way); `delay_s` seconds before answering."""

    body: Any
    status: int = 200
    short_by: int = 0
    delay_s: float = 0.0

    def payload(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


@dataclass
class Directory:
    """Another directory's ORUK API at `{url}`: its pages by number, its services by id,
    and every request it was sent (path, query)."""

    url: str
    pages: dict[int, Answer] = field(default_factory=dict)
    services: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def publish(self, services: list[dict[str, Any]], per_page: int) -> None:
        """Pages of `per_page` services, as an ORUK API numbers them."""
        total = max(1, -(-len(services) // per_page))
        for number in range(1, total + 1):
            on_page = services[(number - 1) * per_page : number * per_page]
            self.pages[number] = Answer(page(number, total, on_page, len(services)))

    def pages_asked(self) -> list[str]:
        return [query.get("page", "") for path, query in self.requests if path == "/oruk/services"]


def page(
    number: int, total_pages: int, services: list[dict[str, Any]], total_items: int
) -> dict[str, Any]:
    """An ORUK page envelope."""
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(services),
        "first_page": number == 1,
        "last_page": number == total_pages,
        "empty": not services,
        "contents": services,
    }


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        directory = self.server.directory
        asked = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(asked.query).items()}
        directory.requests.append((asked.path, query))
        answer: Answer | None = None
        if asked.path == "/oruk/services":
            answer = directory.pages.get(int(query.get("page", "1")))
        elif asked.path.startswith("/oruk/services/"):
            answer = directory.services.get(unquote(asked.path.removeprefix("/oruk/services/")))
        answer = answer or Answer({"detail": "Not Found"}, status=404)
        time.sleep(answer.delay_s)
        payload = answer.payload()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload[: len(payload) - answer.short_by])

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests say what went wrong."""


class Server(ThreadingHTTPServer):
    directory: Directory
