"""How long listing the people an admin administers takes, with many people of two
authorities: Trafford (its wards and LSOAs from the demo data) and a second authority
beside it; moderators of random Trafford neighbourhoods, contributors of either
authority, moderators of the second one. Each list's first page (100, by email) and the
walk through every page, for Trafford's admin (each user held to the rule `user_within`)
beside the baseline of an admin of everything (no rule) listing the same, in the same run.

    python -m bench.people [--users 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.auth import people
from app.auth.accounts import Account
from app.db import make_engine
from app.io.demo import steps as demo_steps
from app.settings import ApiSettings
from bench.common import drop_database, migrated_database, timed

DATABASE = "assetmap_bench_people"
AREA_STEPS = ("local authority", "wards 2023", "LSOAs 2011")
TRAFFORD, OTHER = "E08000009", "E08000003"
PAGE = 100


def _load(engine: Engine, users: int) -> None:
    with Session(engine) as session, session.begin():
        for step in demo_steps():
            if step.label in AREA_STEPS:
                step.run(session, ApiSettings().service_extent)
        session.execute(
            text(
                "INSERT INTO area (code, name, level, geom) VALUES (:code, 'Beside Trafford', "
                "'local_authority', ST_Multi(ST_MakeEnvelope(-2.20, 53.40, -2.10, 53.50, 4326)))"
            ),
            {"code": OTHER},
        )
        # a third moderators of Trafford's LSOAs, a third contributors of either
        # authority, a third moderators of the other authority
        session.execute(
            text(
                "INSERT INTO app_user (email, password_hash, role, authority_code) "
                "SELECT 'user' || i || '@example.org', '!', "
                "       CASE WHEN i % 3 = 1 THEN 'contributor' ELSE 'moderator' END, "
                "       CASE WHEN i % 3 = 1 THEN (ARRAY[:trafford, :other])[1 + i % 2] END "
                "FROM generate_series(1, :n) AS i"
            ),
            {"n": users, "trafford": TRAFFORD, "other": OTHER},
        )
        session.execute(
            text(
                "INSERT INTO user_area (user_id, area_code) "
                "SELECT u.id, CASE WHEN u.id % 3 = 0 THEN :other ELSE ("
                "  SELECT code FROM area WHERE level = 'lsoa' "
                "  ORDER BY md5(code || u.id) LIMIT 1) END "
                "FROM app_user AS u WHERE u.role = 'moderator'"
            ),
            {"other": OTHER},
        )


def _walk(session: Session, admin: Account) -> int:
    """Every page of the admin's list; how many users it held."""
    after, seen = None, 0
    while True:
        page = people.list_users(session, admin, people.UserQuery(), PAGE, after)
        seen += len(page["users"])
        after = page["next"]
        if after is None:
            return seen


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    drop_database(DATABASE)
    url = migrated_database(DATABASE)
    engine = make_engine(url, pool_size=1)
    try:
        print(f"loading Trafford's areas and {args.users:,} people into {DATABASE} ...")
        _load(engine, args.users)
        everywhere = Account(0, "bench", "admin", ())
        trafford = Account(0, "bench", "admin", (TRAFFORD,))
        with Session(engine) as session:
            first = {
                who: timed(
                    lambda a=admin: people.list_users(session, a, people.UserQuery(), PAGE, None),
                    args.runs,
                )[0]
                for who, admin in (("everywhere", everywhere), ("trafford", trafford))
            }
            counts = {
                who: _walk(session, a)
                for who, a in (("everywhere", everywhere), ("trafford", trafford))
            }
            walks = {
                who: timed(lambda a=admin: _walk(session, a), args.runs)[0]
                for who, admin in (("everywhere", everywhere), ("trafford", trafford))
            }
        print("(a shared, noisy machine: compare the ratios, each measured in this run)")
        for label, found in (("first page of 100", first), ("every page", walks)):
            base, ruled = found["everywhere"], found["trafford"]
            print(
                f"{label:>18}: admin of everything {base * 1000:8.1f} ms "
                f"({counts['everywhere']:,} people), Trafford's admin {ruled * 1000:8.1f} ms "
                f"({counts['trafford']:,} people): {ruled / base:5.2f}x the baseline"
            )
    finally:
        engine.dispose()
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
