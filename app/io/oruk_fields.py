"""The parts of one Open Referral UK service read as our assets' fields: its place and
point, its hours, phone, cost and ages, for app.io.oruk_rows."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from app.domain.schedule_exchange import describe, from_hsds

# from_hsds' note on an entry it keeps as text only, numbered from 1 in the order given:
# "schedule 3 (MONTHLY) is kept as text only: first Monday of the month".
_KEPT_AS_TEXT = re.compile(r"schedule (\d+) \(.*?\) is kept as text only: ")
# What makes an HSDS schedule entry more than a description.
_SCHEDULE_DATA = (
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "dtstart",
    "valid_from",
    "valid_to",
    "opens_at",
    "closes_at",
)


def _place(location: dict[str, Any]) -> dict[str, Any]:
    """A location's address, postcode and accessibility (None: absent)."""
    addresses = _objects(location.get("addresses"))
    # The first physical address, else the first postal one, else the first of any type.
    rank = {"physical": 0, "postal": 1}
    address = min(addresses, key=lambda a: rank.get(str(a.get("address_type")), 2), default={})
    lines: list[str] = []
    for part in (address.get("address_1"), address.get("address_2"), address.get("city")):
        text = _text(part)
        # A feed that puts the whole address on its first line often repeats the city.
        if text is not None and not ", ".join(lines).casefold().endswith(text.casefold()):
            lines.append(text)
    access = _unique(
        text
        for item in _objects(location.get("accessibility"))
        if (text := _text(item.get("description")) or _text(item.get("accessibility")))
    )
    return {
        "address": ", ".join(lines) or None,
        "postcode": _text(address.get("postal_code")),
        "accessibility": _sentences(access),
    }


@dataclass
class _Hours:
    """A row's `schedule` and `opening_hours`; from_hsds' notes on the entries; whether
    some were only ever text (a description and nothing else), carried over whole."""

    properties: dict[str, Any]
    notes: list[str]
    plain_text: bool


def _hours(items: list[dict[str, Any]]) -> _Hours:
    """`schedule` and `opening_hours` from HSDS schedule entries: `opening_hours` is the
    descriptions of the entries a Schedule cannot hold (kept as text only), else the
    schedule described."""
    if not items:
        return _Hours({}, [], plain_text=False)
    schedule, notes = from_hsds(items)
    kept = {int(found[1]) for note in notes if (found := _KEPT_AS_TEXT.match(note))}
    described = {
        number: text
        for number, item in enumerate(items, start=1)
        if number in kept and (text := _text(item.get("description")))
    }
    # An entry that is a description alone loses nothing as opening_hours: no note on it.
    plain = {
        number
        for number in described
        if all(_text(items[number - 1].get(key)) is None for key in _SCHEDULE_DATA)
    }
    notes = [
        note
        for note in notes
        if not ((found := _KEPT_AS_TEXT.match(note)) and int(found[1]) in plain)
    ]
    properties: dict[str, Any] = {"opening_hours": _sentences(_unique(described.values()))}
    if schedule is not None:
        properties["schedule"] = schedule.model_dump(mode="json", exclude_defaults=True)
        properties["opening_hours"] = properties["opening_hours"] or describe(schedule) or None
    return _Hours(properties, notes, plain_text=bool(plain))


def _phone(service: dict[str, Any]) -> str | None:
    """The first number of the service's own phones (HSDS core; the UK profile has none),
    else of its contacts'."""
    phones = _objects(service.get("phones")) + [
        phone
        for contact in _objects(service.get("contacts"))
        for phone in _objects(contact.get("phones"))
    ]
    return next((number for p in phones if (number := _text(p.get("number")))), None)


def _cost(service: dict[str, Any]) -> str | None:
    """The fees as the feed words them, else its cost options as text: "£35 per 1 hour
    session (Under 18s and Over 60s)"."""
    fees = _text(service.get("fees"))
    if fees is not None:
        return fees
    options = []
    for option in _objects(service.get("cost_options")):
        amount = _number(option.get("amount"))
        currency = _text(option.get("currency"))
        if amount is None:
            price = None
        elif amount == 0:
            price = "Free"
        elif currency in (None, "GBP"):
            price = f"£{_shown(amount, money=True)}"
        else:
            price = f"{_shown(amount, money=True)} {currency}"
        described = " ".join(
            part for part in (price, _text(option.get("amount_description"))) if part
        )
        condition = _text(option.get("option"))
        if described and condition:
            options.append(f"{described} ({condition})")
        elif described or condition:
            options.append(described or condition or "")
    return "; ".join(options) or None


def _audience(minimum: Any, maximum: Any) -> str | None:
    """Who a service is for, by age (years): "Ages 5 to 11"."""
    low, high = _number(minimum), _number(maximum)
    if low is not None and high is not None:
        return f"Ages {_shown(low)} to {_shown(high)}"
    if low is not None:
        return f"Ages {_shown(low)} and over"
    if high is not None:
        return f"Ages up to {_shown(high)}"
    return None


def _point(location: dict[str, Any]) -> BaseGeometry | None:
    """The location's point (lon, lat in EPSG:4326), when it has usable coordinates."""
    latitude, longitude = _number(location.get("latitude")), _number(location.get("longitude"))
    if latitude is None or longitude is None:
        return None
    # 0, 0 (in the Gulf of Guinea) is what many feeds write for coordinates they do not know;
    # beyond the poles (the standard's own example has latitude 100) they are wrong.
    if (latitude == 0 and longitude == 0) or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return shapely.Point(longitude, latitude)


def _location(at_location: dict[str, Any] | None) -> dict[str, Any]:
    location = (at_location or {}).get("location")
    return location if isinstance(location, dict) else {}


def _location_ref(at_location: dict[str, Any] | None, position: int) -> str:
    """What tells a service's places apart in its rows' refs: the location's id (else the
    service-at-location's, else its position)."""
    return (
        _text(_location(at_location).get("id"))
        or _text((at_location or {}).get("location_id"))
        or _text((at_location or {}).get("id"))
        or str(position)
    )


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list the feed gives (anything else in it left out)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value).strip() or None


def _folded(value: str | None) -> str | None:
    return None if value is None else value.casefold()


def _number(value: Any) -> float | None:
    """A finite number the feed gives (some feeds write numbers as text)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _shown(number: float, money: bool = False) -> str:
    if number.is_integer():
        return str(int(number))
    return f"{number:.2f}" if money else f"{number:g}"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _sentences(parts: list[str]) -> str | None:
    """Texts joined: sentences by a space, phrases by a semicolon."""
    joined = ""
    for part in parts:
        if joined:
            joined += " " if joined[-1] in ".!?" else "; "
        joined += part
    return joined or None


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}
