"""Keyset pagination: one opaque cursor for every list, and the page it cuts."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import invalid

Key = tuple[Any, ...]


def encode_cursor(key: Key) -> str:
    """The key of a page's last row as an opaque, URL-safe token."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(token: str, types: Sequence[type], field: str = "after") -> Key:
    """Read a token made by `encode_cursor`; a 422 naming `field` if it is not one."""
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError(token)
        return tuple(kind(value) for kind, value in zip(types, values, strict=True))
    except (ValueError, TypeError, UnicodeDecodeError) as bad:
        raise invalid(field, "is not a cursor this service gave out") from bad


@dataclass(frozen=True)
class Page:
    """Rows of one page (each a feature's GeoJSON text) and the cursor of the next, if any."""

    features: list[str]
    next_cursor: str | None


def cut_page(rows: Sequence[Sequence[Any]], limit: int) -> Page:
    """Rows are (feature text, *key), fetched with LIMIT limit + 1 to see if more follow."""
    more = len(rows) > limit
    shown = rows[:limit]
    next_cursor = encode_cursor(tuple(shown[-1][1:])) if more and shown else None
    return Page([row[0] for row in shown], next_cursor)


@dataclass(frozen=True)
class NumberedPage:
    """A page by number, as Open Referral UK pages its lists: the page's items, which page
    it is (1-based), how many items each page holds, and how many match in all."""

    contents: list[Any]
    page_number: int
    per_page: int
    total_items: int

    @property
    def skip(self) -> int:
        return (self.page_number - 1) * self.per_page

    def envelope(self) -> dict[str, Any]:
        """The ORUK envelope: `total_items`, `total_pages`, `page_number`, `size` (the items
        on this page), `first_page`, `last_page`, `empty`, `contents`."""
        total_pages = -(-self.total_items // self.per_page)
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
            "empty": not self.contents,
            "contents": self.contents,
        }
