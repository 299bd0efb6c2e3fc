# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-test run test test-fast pytest pytest-fast pytest-rest lint db-up db-down bench notebook

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

db-up: setup
	@$(BIN)/assetmap db up

run: db-up
	$(BIN)/assetmap migrate
	$(BIN)/assetmap demo
	$(BIN)/assetmap serve

# Lint, the fast tier, then (with the database up) the rest of the tests.
test: setup-test lint pytest-fast db-up pytest-rest

# The fast tier alone: the tests marked `fast`, which need no database.
test-fast: setup-test pytest-fast

pytest: pytest-fast pytest-rest

# No database is reachable while the fast tier runs, so a test in it that needs one fails;
# so does a run in which no test is marked (pytest's exit code 5).
pytest-fast:
	DATABASE_URL=postgresql://nobody:x@127.0.0.1:1/none $(BIN)/python -m pytest -m fast

pytest-rest:
	$(BIN)/python -m pytest -m "not fast" -n 2 --dist loadfile

lint:
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/mypy app

db-down:
	@$(BIN)/assetmap db down

bench: db-up
	$(BIN)/python -m bench.assets_bbox
	$(BIN)/python -m bench.import_assets
	$(BIN)/python -m bench.gaps_england
	$(BIN)/python -m bench.features_vs_tipg
	$(BIN)/python -m bench.hot_path_ceiling
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.live_session
	$(BIN)/python -m bench.snapshot
	$(BIN)/python -m bench.scaling

# The analysts' notebook in Jupyter, against the service `make run` starts (run that first).
notebook: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,notebook]'
	$(BIN)/jupyter lab notebooks/gap_analysis.ipynb
