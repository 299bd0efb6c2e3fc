# The two commands of the README: `make run` and `make test`. Both set everything up first.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-test run test pytest lint db-up db-down bench clean-db notebook

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

test: setup-test db-up lint pytest

pytest:
	$(BIN)/python -m pytest

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
	$(BIN)/python -m bench.load

# The analysts' notebook in Jupyter, against the service `make run` starts (run that first).
notebook: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,notebook]'
	$(BIN)/jupyter lab notebooks/gap_analysis.ipynb
