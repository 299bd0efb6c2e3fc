"""The ids of the Open Referral UK feed: UUIDs (the standard asks for them), the same on
every request and after a restart, and read back into what they name without a lookup
table.

Each is a version 8 UUID (RFC 9562, laid out by its maker): 48 bits naming this directory
(from FeedSettings.directory), 12 naming what it is (a service, a location, ...) and 62
holding its number (an asset's or a category's id, or a slug's digest). The parts of a
service (its address, schedules, phones) get version 5 UUIDs under the service's id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum
from uuid import UUID, uuid5

NUMBER_BITS = 62
NUMBER_MASK = (1 << NUMBER_BITS) - 1


class Entity(IntEnum):
    """What an id names."""

    SERVICE = 1
    LOCATION = 2
    SERVICE_AT_LOCATION = 3
    ORGANIZATION = 4
    TAXONOMY = 5
    KIND_TERM = 6
    CATEGORY_TERM = 7
    OUTCOME_TERM = 8


def slug_number(slug: str) -> int:
    """A slug's number in an id: its digest (kinds and outcomes have no numeric id)."""
    return int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big") & NUMBER_MASK


@dataclass(frozen=True)
class FeedIds:
    """Makes and reads the ids of one directory's feed."""

    directory: str

    @property
    def _tag(self) -> int:
        return int.from_bytes(hashlib.sha256(self.directory.encode()).digest()[:6], "big")

    def make(self, entity: Entity, number: int) -> UUID:
        """The id of the `entity` numbered `number` (0 <= number < 2**62)."""
        if not 0 <= number <= NUMBER_MASK:
            raise ValueError(f"{number} does not fit an id")
        value = (self._tag << 80) | (8 << 76) | (int(entity) << 64) | (0b10 << 62) | number
        return UUID(int=value)

    def read(self, value: UUID | str, entity: Entity) -> int | None:
        """The number inside an id of this feed naming an `entity`, or None when it is not
        one (another directory's id, another entity's, or not a UUID at all)."""
        try:
            found = value if isinstance(value, UUID) else UUID(value)
        except ValueError:
            return None
        bits = found.int
        if (
            bits >> 80 != self._tag
            or (bits >> 76) & 0xF != 8
            or (bits >> 64) & 0xFFF != int(entity)
            or (bits >> 62) & 0b11 != 0b10
        ):
            return None
        return bits & NUMBER_MASK

    def part(self, owner: UUID, what: str) -> UUID:
        """The id of a part of something (`address`, `phone`, `schedule 2`, ...)."""
        return uuid5(owner, what)
