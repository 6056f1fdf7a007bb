# coolshift: `make run` runs the main job on the built-in default, `make test` runs the whole suite.
# Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench clean app

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/coolshift run default --out runs/default --force

app: $(STAMP)
	$(BIN)/streamlit run ui/server.py

# two workers, one test file per worker at a time (--dist loadfile): a file's session and
# module fixtures (Streamlit servers, Dask clusters, shared run directories) stay on one worker
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/bench_thermal.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
