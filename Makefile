VENV := .venv
BIN := $(VENV)/bin
DB ?= data/demo.duckdb
ENTITIES ?= 50000
PORT ?= 8501
FEED ?= 20

.PHONY: setup run test demo lint clean

$(BIN)/entities: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/entities

$(DB): | $(BIN)/entities
	$(BIN)/entities demo --db $(DB) --entities $(ENTITIES)

demo: $(DB)

# Serves the app; unless FEED=0, `entities feed` posts live records to it (FEED records/s) and stops with it.
run: setup $(DB)
	@echo "Serving on http://localhost:$(PORT)"
	@if [ "$(FEED)" = "0" ]; then exec $(BIN)/entities serve --db $(DB) --server.port $(PORT); fi; \
	$(BIN)/entities serve --db $(DB) --server.port $(PORT) & app=$$!; \
	$(BIN)/entities feed --db $(DB) --rate $(FEED) & feed=$$!; \
	trap 'kill $$app $$feed 2>/dev/null' INT TERM; \
	wait $$app; status=$$?; kill $$feed 2>/dev/null; wait $$feed 2>/dev/null; exit $$status

lint: setup
	$(BIN)/ruff check .

# Test files run in parallel, one file per worker (module-scoped servers stay shared within a file).
test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto --dist loadfile

clean:
	rm -rf $(VENV) $(DB) $(DB).wal
