"""What a Welsh reader would read on a page: the catalogue's English strings left in its
text, found as a whole text node, or a label, placeholder or title."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from app import i18n

# attributes a person reads (or hears)
READ = ("aria-label", "placeholder", "title")
# The words that only join values ("{n} of {of}", "{first} and {second}: {said}"): a message
# with no other words would match the values people wrote ("Friends of the park"), so it
# is not looked for.
JOINING = {"of", "and", "by", "to", "in", "at", "on", "the", "a"}


def english_strings() -> list[re.Pattern[str]]:
    """The catalogue's English strings that Welsh says otherwise, each as a pattern of the
    whole text (a placeholder stands for anything)."""
    patterns = []
    for message in i18n.catalog(i18n.WELSH):
        english = str(message.id).strip()
        if not message.id or english == str(message.string).strip():
            continue
        parts = re.split(r"\{\w*\}", english)
        if len(parts) > 1 and set(re.findall(r"[A-Za-z']+", " ".join(parts).lower())) <= JOINING:
            continue
        patterns.append(re.compile("^" + ".+".join(re.escape(part) for part in parts) + "$"))
    return patterns


class _Text(HTMLParser):
    """The page's text nodes (outside scripts and styles) and the attributes people read."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.seen.extend(value.strip() for name, value in attrs if name in READ and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.seen.append(" ".join(data.split()))


def english_in(page: str) -> list[str]:
    """The texts of `page` (HTML) that are one of the catalogue's English strings."""
    reader = _Text()
    reader.feed(page)
    patterns = english_strings()
    return sorted({text for text in reader.seen if any(p.match(text) for p in patterns)})


def messages_of(page: str) -> dict[str, str]:
    """The scripts' words a page was given (its "messages" JSON block)."""
    found = re.search(r'<script id="messages" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    messages: dict[str, str] = json.loads(found.group(1))
    return messages


def without_messages(page: str) -> str:
    """`page` without its "messages" block, whose keys are the English msgids."""
    return re.sub(r'<script id="messages".*?</script>', "", page, flags=re.S)
