"""Atom 1.0 (RFC 4287) documents, built with the standard library's ElementTree, which
escapes every text and attribute it writes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Entry:
    """One entry: a stable `id` (a URI), a title, when it was last updated, the page it is
    about, a plain-text summary and a category term."""

    id: str
    title: str
    updated: datetime
    link: str
    summary: str
    category: str | None = None


@dataclass(frozen=True)
class Feed:
    """A feed's own parts: its `id` (a URI), title, when it last changed, its own address
    (`self_link`), a page it describes (`alternate`) and its author."""

    id: str
    title: str
    updated: datetime
    self_link: str
    alternate: str
    alternate_type: str
    author: str


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def document(feed: Feed, entries: list[Entry]) -> bytes:
    """The feed and its entries, in the order given, as UTF-8 XML."""
    root = ET.Element(f"{{{ATOM}}}feed")
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "updated", feed.updated.isoformat())
    _add(root, "link", rel="self", type=MEDIA_TYPE, href=feed.self_link)
    _add(root, "link", rel="alternate", type=feed.alternate_type, href=feed.alternate)
    author = _add(root, "author")
    _add(author, "name", feed.author)
    for entry in entries:
        item = _add(root, "entry")
        _add(item, "id", entry.id)
        _add(item, "title", entry.title)
        _add(item, "updated", entry.updated.isoformat())
        _add(item, "link", rel="alternate", href=entry.link)
        if entry.category is not None:
            _add(item, "category", term=entry.category)
        _add(item, "summary", entry.summary, type="text")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
