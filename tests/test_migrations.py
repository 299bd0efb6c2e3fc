"""The schema is built only by Alembic, and every migration can be undone and redone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from tests.conftest import alembic_config, create_database, drop_database

OUR_TABLES = {"area", "asset", "asset_revision_stored", "category", "outcome", "postcode"}
OUR_FUNCTIONS = [
    "asset_after_insert",
    "asset_after_update",
    "asset_public_point",
    "asset_public_point_fill",
    "asset_before_update",
    "asset_content",
    "asset_before_write",
    "asset_after_write",
    "area_after_write",
]


@pytest.fixture
def empty_database(base_url: str) -> Iterator[str]:
    url = create_database(base_url, "assetmap_migrations")
    yield url
    drop_database(url)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) & OUR_TABLES


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    config = alembic_config(empty_database)
    engine = make_engine(empty_database, pool_size=1)
    try:
        command.upgrade(config, "head")
        assert _tables(engine) == OUR_TABLES

        command.downgrade(config, "base")
        assert _tables(engine) == set()
        with engine.connect() as conn:
            functions = (
                conn.execute(
                    text("SELECT proname FROM pg_proc WHERE proname = ANY(:ours)"),
                    {"ours": OUR_FUNCTIONS},
                )
                .scalars()
                .all()
            )
        assert functions == []

        command.upgrade(config, "head")
        assert _tables(engine) == OUR_TABLES
        with engine.connect() as conn:
            assert (
                conn.scalar(text("SELECT count(*) FROM category WHERE slug = 'gp-practice'")) == 1
            )
    finally:
        engine.dispose()


HISTORY = (
    "SELECT a.name, r.version, r.action, r.changed_by, r.before, r.after, "
    "       r.changed_at = a.created_at AS at_creation "
    "FROM asset_revision AS r JOIN asset AS a ON a.id = r.asset_id ORDER BY r.id"
)
CHANGES = (
    "SELECT a.name, c.version, c.event, c.fields FROM asset_change AS c "
    "JOIN asset AS a ON a.id = c.asset_id ORDER BY c.revision_id"
)


def _creations_from_the_row() -> str:
    """The revision before migration 0014 (found by its file's name, whatever number the
    merge gives it)."""
    script = ScriptDirectory.from_config(alembic_config("postgresql://unused/unused"))
    for found in script.walk_revisions():
        if found.path.endswith("creations_from_the_row.py"):
            assert isinstance(found.down_revision, str)
            return found.down_revision
    raise LookupError("no migration creations_from_the_row")


def test_creations_read_from_the_row_are_written_back_as_revisions_on_downgrade(
    empty_database: str,
) -> None:
    config = alembic_config(empty_database)
    engine = make_engine(empty_database, pool_size=1)
    try:
        command.upgrade(config, "head")
        with engine.begin() as conn:
            conn.execute(text("SELECT set_config('assetmap.actor', 'builder@example.org', true)"))
            for name, status in (
                ("Library", "published"),
                ("Hall", "published"),
                ("Idea", "draft"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO asset (name, kind, geom, status) "
                        "VALUES (:name, 'physical', 'SRID=4326;POINT(-2.3 53.4)', :status)"
                    ),
                    {"name": name, "status": status},
                )
        with engine.begin() as conn:
            conn.execute(text("UPDATE asset SET cost = 'Free' WHERE name = 'Hall'"))
        with engine.connect() as conn:
            history, changes = conn.execute(text(HISTORY)).all(), conn.execute(text(CHANGES)).all()
        by = "builder@example.org"
        assert [tuple(row) for row in history] == [
            ("Library", 1, "create", by, None, None, True),
            ("Hall", 1, "create", by, None, None, True),
            ("Idea", 1, "create", by, None, None, True),
            ("Hall", 2, "update", by, {"cost": None}, {"cost": "Free"}, False),
        ]
        assert [tuple(row) for row in changes] == [
            ("Library", 1, "added", []),
            ("Hall", 1, "added", []),
            ("Hall", 2, "changed", ["cost"]),
        ]

        command.downgrade(config, _creations_from_the_row())
        with engine.connect() as conn:
            assert conn.execute(text(HISTORY)).all() == history
            assert conn.execute(text(CHANGES)).all() == changes
            written = conn.scalar(text("SELECT count(*) FROM asset_revision"))
        assert written == 4
        assert "asset_revision" in inspect(engine).get_table_names()

        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.execute(text(HISTORY)).all() == history
            assert conn.execute(text(CHANGES)).all() == changes
    finally:
        engine.dispose()


def test_every_geometry_has_a_gist_index(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT f_table_name, f_geometry_column FROM geometry_columns "
                "WHERE f_table_schema = 'public' AND f_table_name IN "
                # a view (the public face) is searched through its table's indexes
                "(SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"
            )
        ).all()
        indexed = conn.execute(
            text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")
        ).all()
    # Read only through their row, or all at once by a gap analysis: never searched by place.
    unsearched = {("area", "label_point"), ("area", "centroid_bng"), ("asset", "public_bng")}
    for table, column in rows:
        if (table, column) in unsearched:
            continue
        assert any(t == table and f"({column})" in d for t, d in indexed), (table, column)


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "INSERT INTO asset (name, kind, geom) VALUES ('x', 'shop', "
            "'SRID=4326;POINT(-2.3 53.4)')",
            "asset_kind_check",
        ),
        (
            "INSERT INTO asset (name, kind, geom) VALUES ('x', 'physical', "
            "'SRID=27700;POINT(380000 395000)')",
            "Geometry SRID",
        ),
        (
            "INSERT INTO asset (name, kind, geom, footprint) VALUES ('x', 'physical', "
            "'SRID=4326;POINT(-2.3 53.4)', 'SRID=4326;MULTIPOLYGON(((-2.31 53.42, -2.30 53.43, "
            "-2.30 53.42, -2.31 53.43, -2.31 53.42)))')",
            "asset_footprint_check",
        ),
        (
            "INSERT INTO asset (name, kind, geom, category_id) SELECT 'x', 'association', "
            "'SRID=4326;POINT(-2.3 53.4)', id FROM category WHERE slug = 'gp-practice'",
            "asset_category_id_kind_fkey",
        ),
        (
            "INSERT INTO asset (name, kind, geom, consent_publish) VALUES ('x', 'physical', "
            "'SRID=4326;POINT(-2.3 53.4)', true)",
            "asset_check",
        ),
    ],
    ids=["kind", "srid", "valid footprint", "category under kind", "consent only for people"],
)
def test_the_database_itself_refuses_bad_rows(
    engine: Engine, statement: str, constraint: str
) -> None:
    with engine.connect() as conn, pytest.raises(Exception, match=constraint) as raised:
        conn.execute(text(statement))
    assert raised.type is IntegrityError or "SRID" in str(raised.value)


def test_the_models_describe_the_migrated_columns(engine: Engine) -> None:
    """app.models is what the code queries; the migrations are what the database has."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models import Base

    def ours(obj: object, name: str | None, type_: str, *_: object) -> bool:
        if type_ != "table":
            return True
        # a model read from a view (migration 0014) has no table to compare
        return name in Base.metadata.tables and not Base.metadata.tables[name].info.get("view")

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        differences = compare_metadata(context, Base.metadata)

    def kind_of(difference: object) -> str:
        first = difference[0] if isinstance(difference, list) else difference
        return str(first[0]) if isinstance(first, tuple) else ""

    # Indexes, constraints and triggers live only in the migrations; columns must agree.
    column_changes = [
        d
        for d in differences
        if kind_of(d).endswith(("_column", "_table")) or kind_of(d).startswith("modify_")
    ]
    assert column_changes == []
