"""How long a snapshot of Trafford takes: the demo locality (its published assets and the
default standard questions, one per category and outcome tracked), a snapshot taken
in one REPEATABLE READ transaction, several times; beside the baseline of the same
transaction running only the gap analyses the snapshot answers (what most of it is), and
one `/gaps` analysis alone, measured in the same run.

    python -m bench.snapshot [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.analysis import snapshots
from app.analysis.gaps import analyse_gaps
from app.analysis.question import GapQuestion
from app.db import make_engine
from app.domain import localities
from app.domain.asset_search import AssetMatch
from app.io.demo import LOCAL_AUTHORITY
from app.io.demo import steps as demo_steps
from app.settings import AnalysisSettings, ApiSettings
from bench.common import drop_database, migrated_database

DATABASE = "assetmap_bench_snapshot"


def _timed(engine: Engine, work: Callable[[Session], object], runs: int) -> list[float]:
    """Seconds each of `runs` runs of `work` takes in its own REPEATABLE READ transaction,
    rolled back (so the runs see the same data)."""
    found = []
    for _ in range(runs):
        with Session(engine) as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            started = time.perf_counter()
            work(session)
            found.append(time.perf_counter() - started)
            session.rollback()
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    settings = AnalysisSettings()
    drop_database(DATABASE)
    url = migrated_database(DATABASE)
    engine = make_engine(url, pool_size=1)
    try:
        print(f"loading the demo locality into {DATABASE} ...", flush=True)
        with Session(engine) as session, session.begin():
            for step in demo_steps():
                step.run(session, ApiSettings().service_extent)
            assets = session.scalar(text("SELECT count(*) FROM asset WHERE status = 'published'"))
            asked = localities.seed(session, LOCAL_AUTHORITY)

        def one_gap(session: Session) -> object:
            question = GapQuestion.asked(
                settings, within=LOCAL_AUTHORITY, match=AssetMatch(category="gp-practice")
            )
            return analyse_gaps(session, question, settings)

        def every_question(session: Session) -> object:
            return [
                analyse_gaps(
                    session,
                    GapQuestion.asked(
                        settings,
                        within=LOCAL_AUTHORITY,
                        match=AssetMatch(category=q.category, outcome=q.outcome),
                        distance_m=q.distance_m,
                    ),
                    settings,
                )
                for q in asked
            ]

        def snapshot(session: Session) -> object:
            return snapshots.take(session, LOCAL_AUTHORITY, "bench", settings)

        _timed(engine, snapshot, 1)  # warm: imports, caches
        gap = _timed(engine, one_gap, args.runs)
        questions = _timed(engine, every_question, args.runs)
        taken = _timed(engine, snapshot, args.runs)
    finally:
        engine.dispose()
        drop_database(DATABASE)

    def line(label: str, values: list[float]) -> str:
        median = statistics.median(values)
        return f"{label:<44} {median:8.3f} {max(values):8.3f}"

    sizes = f"{assets:,} published assets, {len(asked)} standard questions"
    print(f"\nTrafford: {sizes}, {args.runs} runs")
    print(f"{'seconds':<44} {'median':>8} {'max':>8}")
    print(line("one gap analysis (GP practice within 1 km)", gap))
    print(line(f"the {len(asked)} questions' gap analyses", questions))
    print(line("a whole snapshot, stored", taken))
    ratio = statistics.median(taken) / statistics.median(questions)
    print(
        f"a snapshot takes {ratio:.2f}x its gap analyses alone; "
        f"{statistics.median(taken) / statistics.median(gap):.1f}x one analysis"
    )


if __name__ == "__main__":
    main()
