"""Travel times an analyst brings: a cost matrix (CSV or Parquet, or JSON rows) of minutes
from origins to destinations, as r5py, OpenTripPlanner or the DfT journey time statistics
produce them, read and checked row by row.

Columns, by name (any order, other columns ignored):
- origin (`origin` or r5py's `from_id`): an area code (LSOA) or a postcode, which the
  offline postcodes table places in its LSOA;
- destination (`destination` or `to_id`): an asset, by id or, failing that, by
  `source_ref`; or an analysed area's code, a candidate site for "where next";
- minutes (`minutes` or `travel_time`): a finite number, 0 or more; an empty cell (or NaN,
  r5py's "no route") means not reachable.

A pair missing from the matrix is not reachable. Rows whose origin is a stored area or
postcode outside the analysed areas, or whose destination is a published asset that does not
match the question, are set aside and counted. Any other row the matrix cannot mean (an
unknown origin or destination, minutes that are not a number or are negative, a pair given
twice) is refused with a 422 naming the row and column: `costs.<row>.<column>`, rows counted
from 0 after the header. An asset the public may not see is unknown, like one that does not
exist, so a matrix cannot reveal it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from numpy.typing import NDArray
from sqlalchemy import BigInteger, String, Text, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.analysis.inputs import Areas, Supply
from app.domain.asset_fields import public_asset
from app.domain.postcodes import UK_POSTCODE
from app.errors import FieldProblem, Problem, invalid
from app.i18n import said
from app.schemas import normalise_postcode

COLUMNS = {
    "origin": ("origin", "from_id"),
    "destination": ("destination", "to_id"),
    "minutes": ("minutes", "travel_time"),
}
# How many bad rows one answer names.
PROBLEMS_SHOWN = 20
PARQUET_MAGIC = b"PAR1"
# What a cell of minutes may say for a pair with no route (r5py writes NaN).
NOT_REACHABLE = {"", "nan", "na", "null"}


@dataclass(frozen=True)
class Labels:
    """One column of text, each distinct value once (`values`, stripped; "" for empty) and
    each row's position in it (`index`): a matrix names few places many times."""

    values: list[str]
    index: NDArray[np.intp]

    @classmethod
    def of(cls, labels: Sequence[str]) -> Labels:
        values, index = np.unique(
            np.array([label.strip() for label in labels], dtype=object), return_inverse=True
        )
        return cls([str(value) for value in values], index.astype(np.intp))

    def __getitem__(self, row: int) -> str:
        return self.values[int(self.index[row])]


@dataclass(frozen=True)
class CostRows:
    """A cost matrix as read, one entry per row: origin and destination as text, minutes
    (NaN: not reachable)."""

    origin: Labels
    destination: Labels
    minutes: NDArray[np.float64]
    # the file's format, for the method's words
    format: str = "json"

    def __len__(self) -> int:
        return len(self.minutes)


@dataclass(frozen=True)
class TravelTimes:
    """A cost matrix resolved against the analysed areas (demand points) and the matching
    assets (supply, by index): minutes from each origin area to each asset, and to each
    candidate area for "where next"; `counts` tells what became of the rows."""

    area: NDArray[np.intp]
    asset: NDArray[np.intp]
    minutes: NDArray[np.float64]
    site_origin: NDArray[np.intp]
    site_area: NDArray[np.intp]
    site_minutes: NDArray[np.float64]
    counts: dict[str, int] = field(default_factory=dict)


class _Problems:
    """Bad rows, gathered, then refused together in row order (the first PROBLEMS_SHOWN
    found named)."""

    def __init__(self) -> None:
        self.found: list[tuple[int, FieldProblem]] = []
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.found) < PROBLEMS_SHOWN:
            self.found.append((row, FieldProblem(f"costs.{row}.{column}", message)))

    def add_labels(self, labels: Labels, column: str, problem_of: dict[int, str]) -> None:
        """The problem of each distinct value (by position in `labels.values`), named in
        every row that has it."""
        if not problem_of:
            return
        bad = np.zeros(len(labels.values), dtype=np.bool_)
        bad[list(problem_of)] = True
        rows = np.flatnonzero(bad[labels.index])
        for row in rows[: max(PROBLEMS_SHOWN - len(self.found), 0)]:
            message = problem_of[int(labels.index[row])]
            self.found.append((int(row), FieldProblem(f"costs.{row}.{column}", message)))
        self.count += len(rows)

    def raise_any(self) -> None:
        if not self.found:
            return
        named = [problem for _, problem in sorted(self.found, key=lambda found: found[0])]
        more = f" (and {self.count - len(named)} more)" if self.count > len(named) else ""
        detail = "; ".join(f"{p.field}: {p.message}" for p in named[:3])
        raise Problem(
            422,
            said(
                "{count} problems in the cost matrix{more}: {detail}",
                count=self.count,
                more=more,
                detail=detail,
            ),
            named,
        )


def read_matrix(data: bytes, max_rows: int) -> CostRows:
    """A cost matrix file: Parquet (by its magic bytes) or CSV (UTF-8, a header row).
    A 422 naming `costs` for a file that is neither, lacks a column, or has more than
    `max_rows` rows; naming the row and column for a bad value."""
    if data[:4] == PARQUET_MAGIC:
        return _parquet(data, max_rows)
    return _csv(data, max_rows)


def matrix_rows(rows: Sequence[tuple[str, str, float | None]], max_rows: int) -> CostRows:
    """JSON rows (origin, destination, minutes or None), checked as a file's are."""
    _check_size(len(rows), max_rows)
    minutes = np.array([np.nan if m is None else m for _, _, m in rows], dtype=np.float64)
    problems = _Problems()
    _check_minutes(minutes, problems)
    problems.raise_any()
    origins = Labels.of([str(origin) for origin, _, _ in rows])
    destinations = Labels.of([str(destination) for _, destination, _ in rows])
    return CostRows(origins, destinations, minutes)


def _check_size(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise invalid(
            "costs",
            said(
                "{rows} rows, over the {max_rows} one analysis may read",
                rows=f"{rows:,}",
                max_rows=f"{max_rows:,}",
            ),
        )
    if rows == 0:
        raise invalid("costs", "the cost matrix has no rows")


def _columns(names: Iterable[str]) -> dict[str, str]:
    """Which of the file's columns is the origin, the destination and the minutes."""
    present = list(names)
    lowered = {name.strip().lower(): name for name in present}
    found: dict[str, str] = {}
    for role, accepted in COLUMNS.items():
        matches = [lowered[name] for name in accepted if name in lowered]
        if not matches:
            raise invalid(
                "costs",
                f"no {role} column: name one {' or '.join(accepted)} "
                f"(the columns are {', '.join(present) or 'none'})",
            )
        if len(matches) > 1:
            raise invalid(
                "costs",
                said("two {role} columns ({value}): keep one", role=role, value=", ".join(matches)),
            )
        found[role] = matches[0]
    return found


def _csv(data: bytes, max_rows: int) -> CostRows:
    try:
        text_data = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise invalid("costs", "is neither Parquet nor UTF-8 CSV") from error
    header = next(csv.reader(io.StringIO(text_data)), None)
    if not header:
        raise invalid("costs", "the CSV has no header row")
    columns = _columns(header)
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                include_columns=list(columns.values()),
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise invalid("costs", said("could not be read as CSV: {error}", error=error)) from error
    _check_size(table.num_rows, max_rows)
    return _rows(table, columns, "csv")


def _parquet(data: bytes, max_rows: int) -> CostRows:
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        columns = _columns(parquet.schema_arrow.names)
        _check_size(parquet.metadata.num_rows, max_rows)
        table = parquet.read(columns=list(columns.values()))
    except (pa.ArrowInvalid, OSError) as error:
        raise invalid(
            "costs", said("could not be read as Parquet: {error}", error=error)
        ) from error
    return _rows(table, columns, "parquet")


def _rows(table: pa.Table, columns: dict[str, str], file_format: str) -> CostRows:
    """The origin, destination and minutes columns as CostRows, every bad value named."""
    problems = _Problems()
    ends: dict[str, Labels] = {}
    for role in ("origin", "destination"):
        values = table.column(columns[role])
        if pa.types.is_floating(values.type):
            # ids written as floats by a tool that had a missing value: 12.0 means 12
            values = pc.cast(values, pa.int64(), safe=False)
        text_values = pc.fill_null(pc.utf8_trim_whitespace(pc.cast(values, pa.string())), "")
        encoded = text_values.combine_chunks().dictionary_encode()
        index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        ends[role] = Labels(encoded.dictionary.to_pylist(), index)
    raw = table.column(columns["minutes"])
    if pa.types.is_integer(raw.type) or pa.types.is_floating(raw.type):
        minutes = pc.fill_null(pc.cast(raw, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
    elif pa.types.is_string(raw.type) or pa.types.is_large_string(raw.type):
        trimmed = pc.utf8_trim_whitespace(raw)
        blank = pc.or_kleene(
            pc.is_null(trimmed),
            pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(sorted(NOT_REACHABLE))),
        )
        try:
            as_numbers = pc.cast(pc.if_else(blank, "nan", trimmed), pa.float64())
            minutes = as_numbers.to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            # some cell is not a number: find and name each, row by row
            minutes = _parsed_minutes(raw.to_pylist(), problems)
    else:
        raise invalid("costs", said("the minutes column holds {type}, not numbers", type=raw.type))
    _check_minutes(minutes, problems)
    problems.raise_any()
    return CostRows(ends["origin"], ends["destination"], minutes, file_format)


def _parsed_minutes(written: list[str | None], problems: _Problems) -> NDArray[np.float64]:
    """Minutes written as text: a number, or blank (or NaN, NA, null) for not reachable."""
    minutes = np.full(len(written), np.nan)
    for row, value in enumerate(written):
        cell = (value or "").strip()
        if cell.lower() in NOT_REACHABLE:
            continue
        try:
            minutes[row] = float(cell)
        except ValueError:
            problems.add(row, "minutes", f"{cell!r} is not a number of minutes")
    return minutes


def _check_minutes(minutes: NDArray[np.float64], problems: _Problems) -> None:
    for row in np.flatnonzero(np.isinf(minutes)):
        problems.add(int(row), "minutes", "must be a finite number of minutes")
    for row in np.flatnonzero(minutes < 0):
        problems.add(int(row), "minutes", f"{minutes[row]:g} is negative")


def resolve(
    session: Session, rows: CostRows, areas: Areas, supply: Supply, found: Named
) -> TravelTimes:
    """The rows placed on the analysed areas and the matching assets, as module docstring
    says; a 422 naming every row that cannot be placed, or `costs` when no row reaches a
    matching asset or candidate area from an analysed area."""
    problems = _Problems()
    area_index = {code: index for index, code in enumerate(areas.codes)}
    origin = _origins(session, rows.origin, area_index, problems)
    target, is_site = _destinations(rows.destination, area_index, supply, found, problems)
    problems.raise_any()
    reachable = ~np.isnan(rows.minutes)
    placed = (origin >= 0) & (target >= 0)
    used = placed & reachable
    _check_pairs(rows, origin, np.where(is_site, len(supply) + target, target), placed)
    to_asset, to_site = used & ~is_site, used & is_site
    if not used.any():
        raise invalid(
            "costs",
            "no row gives a time from an analysed area to a matching asset or an analysed "
            "area: check within, level and the asset filter",
        )
    return TravelTimes(
        area=origin[to_asset],
        asset=target[to_asset],
        minutes=rows.minutes[to_asset],
        site_origin=origin[to_site],
        site_area=target[to_site],
        site_minutes=rows.minutes[to_site],
        counts={
            "rows": len(rows),
            "to_assets": int(to_asset.sum()),
            "to_candidate_areas": int(to_site.sum()),
            "not_reachable": int((placed & ~reachable).sum()),
            "origin_outside_the_analysed_areas": int((origin == OUTSIDE).sum()),
            "destination_not_matching": int(((target == OUTSIDE) & (origin >= 0)).sum()),
        },
    )


def _check_pairs(
    rows: CostRows, origin: NDArray[np.intp], target: NDArray[np.intp], placed: NDArray[np.bool_]
) -> None:
    """A 422 naming each placed row whose pair an earlier row gives already, whether or not
    either says it is reachable."""
    candidates = np.flatnonzero(placed)
    keys = (
        origin[candidates].astype(np.int64) * (int(target.max(initial=0)) + 1) + target[candidates]
    )
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    again = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1]) + 1
    if len(again) == 0:
        return
    first = np.searchsorted(sorted_keys, sorted_keys, side="left")
    repeated = candidates[order[again]]
    earliest = candidates[order[first[again]]]
    by_row = np.argsort(repeated)
    problems = _Problems()
    for row, earlier in zip(repeated[by_row], earliest[by_row], strict=True):
        if len(problems.found) == PROBLEMS_SHOWN:
            problems.count += len(repeated) - PROBLEMS_SHOWN
            break
        problems.add(
            int(row),
            "destination",
            f"{rows.origin[row]} to {rows.destination[row]} is given already by row "
            f"{earlier} (a postcode counts as its LSOA)",
        )
    problems.raise_any()


# Where a row's origin or destination is known but not analysed (set aside, counted).
OUTSIDE = -1
UNKNOWN = -2
POSTCODE_LSOA = text(
    "SELECT postcode, lsoa_code FROM postcode WHERE postcode IN :postcodes"
).bindparams(bindparam("postcodes", expanding=True, type_=String))
STORED_AREAS = text("SELECT code FROM area WHERE code IN :codes").bindparams(
    bindparam("codes", expanding=True, type_=String)
)


def _origins(
    session: Session, labels: Labels, area_index: dict[str, int], problems: _Problems
) -> NDArray[np.intp]:
    """Each row's origin as an analysed area's index, OUTSIDE, or a problem named."""
    others = set(labels.values) - set(area_index)
    postcodes = {label: normalise_postcode(label) for label in others}
    postcodes = {label: code for label, code in postcodes.items() if UK_POSTCODE.fullmatch(code)}
    lsoa_of: dict[str, str | None] = {}
    if postcodes:
        found = session.execute(POSTCODE_LSOA, {"postcodes": sorted(set(postcodes.values()))})
        lsoa_of = {row.postcode: row.lsoa_code for row in found}
    codes = sorted(others - set(postcodes))
    stored = set(session.scalars(STORED_AREAS, {"codes": codes})) if codes else set()
    placed = np.empty(len(labels.values), dtype=np.intp)
    problem_of: dict[int, str] = {}
    for value, label in enumerate(labels.values):
        problem = None
        if label in area_index:
            placed[value] = area_index[label]
        elif label in postcodes:
            compact = postcodes[label]
            if compact in lsoa_of:
                placed[value] = area_index.get(lsoa_of[compact] or "", OUTSIDE)
            else:
                problem = f"postcode {compact} is not in the postcodes table"
        elif label in stored:
            placed[value] = OUTSIDE
        else:
            problem = f"{label!r} is neither an area code nor a postcode" if label else "is empty"
        if problem is not None:
            placed[value] = UNKNOWN
            problem_of[value] = problem
    problems.add_labels(labels, "origin", problem_of)
    return placed[labels.index]


@dataclass(frozen=True)
class Named:
    """What a matrix's destinations name, of those that are not analysed areas: the
    published assets' ids given as ids, and the published assets of each source_ref given
    (those not given as ids)."""

    ids: set[int]
    by_ref: dict[str, list[int]]

    def assets(self) -> list[int]:
        """The assets named by id, or by a source_ref only one of them has: those an
        analysis with the matrix needs (matching or not)."""
        return sorted(self.ids | {ids[0] for ids in self.by_ref.values() if len(ids) == 1})


def named(session: Session, rows: CostRows, areas: Areas) -> Named:
    """The published assets the matrix's destinations name (Named), read once."""
    asset_labels = sorted(set(rows.destination.values) - set(areas.codes) - {""})
    numbers = [int(label) for label in asset_labels if re.fullmatch(r"[0-9]{1,18}", label)]
    shown = public_asset.c
    # each list as one array, not a parameter per value (PostgreSQL takes at most 65,535)
    given_ids = bindparam("ids", numbers, type_=ARRAY(BigInteger))
    visible_ids = (
        set(
            session.scalars(
                select(shown.id).where(shown.status == "published", shown.id == any_(given_ids))
            )
        )
        if numbers
        else set()
    )
    refs = [label for label in asset_labels if not (label.isdigit() and int(label) in visible_ids)]
    by_ref: dict[str, list[int]] = {}
    if refs:
        given_refs = bindparam("refs", refs, type_=ARRAY(Text))
        query = select(shown.source_ref, shown.id).where(
            shown.status == "published", shown.source_ref == any_(given_refs)
        )
        for ref, asset_id in session.execute(query):
            by_ref.setdefault(ref, []).append(asset_id)
    return Named(visible_ids, by_ref)


def _destinations(
    labels: Labels,
    area_index: dict[str, int],
    supply: Supply,
    found: Named,
    problems: _Problems,
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Each row's destination as a matching asset's index (supply order) or a candidate
    area's index (flagged), OUTSIDE for a published asset that does not match, or a
    problem named."""
    visible_ids, by_ref = found.ids, found.by_ref
    supply_index = {int(asset_id): index for index, asset_id in enumerate(supply.ids)}
    target = np.empty(len(labels.values), dtype=np.intp)
    is_site = np.zeros(len(labels.values), dtype=np.bool_)
    problem_of: dict[int, str] = {}
    for value, label in enumerate(labels.values):
        if label in area_index:
            target[value], is_site[value] = area_index[label], True
            continue
        if label.isdigit() and int(label) in visible_ids:
            target[value] = supply_index.get(int(label), OUTSIDE)
        elif len(by_ref.get(label, ())) == 1:
            target[value] = supply_index.get(by_ref[label][0], OUTSIDE)
        else:
            target[value] = UNKNOWN
            problem_of[value] = (
                f"source_ref {label!r} names several assets"
                if label in by_ref
                else f"no published asset has id or source_ref {label!r}"
                if label
                else "is empty"
            )
    problems.add_labels(labels, "destination", problem_of)
    return target[labels.index], is_site[labels.index]
