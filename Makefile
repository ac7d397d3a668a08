VENV := .venv
BIN := $(VENV)/bin
DB ?= data/demo.duckdb
ENTITIES ?= 50000
PORT ?= 8501

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

run: setup $(DB)
	@echo "Serving on http://localhost:$(PORT)"
	$(BIN)/entities serve --db $(DB) --server.port $(PORT)

lint: setup
	$(BIN)/ruff check .

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest

clean:
	rm -rf $(VENV) $(DB) $(DB).wal
