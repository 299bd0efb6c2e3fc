"""Text the service takes in is plain text: no NUL (which PostgreSQL cannot store) and no
other control character (which no name, description or code holds), but tabs and line
breaks. Checked once, where text enters: every request (app.api.deps.plain_text_only) and
every imported row."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app.errors import FieldProblem
from app.i18n import said

# C0 controls but tab, line feed and carriage return; and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same, as JSON writes them: a cheap first look at a raw body or at rows dumped by
# orjson. JSON escapes them as \u00XX, but backspace and form feed also as \b and \f, and
# orjson leaves DEL as it is; a hit (or a backslash before a b or an f the text had) only
# means the value is walked for where it is.
ESCAPED_CONTROL = re.compile(rb"\\u00(?:0[0-8bcefBCEF]|1[0-9a-fA-F]|7[fF])|\\[bf]|\x7f")


def control_problem(value: str, field: str) -> FieldProblem | None:
    """What is wrong with `value` if it holds a control character, naming `field`."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return FieldProblem(
        field, said("must not contain control characters (U+{value})", value=f"{ord(found[0]):04X}")
    )


def first_control_problem(value: Any, field: str) -> FieldProblem | None:
    """The first string in a JSON-like value (nested dicts and lists) holding a control
    character, in keys or values, with its dotted path below `field` (`properties.name`,
    `outcomes[2]`); None if there is none."""
    if isinstance(value, str):
        return control_problem(value, field)
    items: Iterable[tuple[str, Any]]
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and (problem := control_problem(key, _join(field, key))):
                return problem
        items = ((_join(field, str(key)), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"{field}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for path, item in items:
        if problem := first_control_problem(item, path):
            return problem
    return None


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key
