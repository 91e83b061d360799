# Two commands do everything on a fresh machine that has python3: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pycsw 2.6 (a real CSW server the tests harvest) needs SQLAlchemy 1.4 and the catalogue 2.x: it
# gets its own interpreter, pinned in tests/thirdparty/pycsw-requirements.txt.
PYCSW_VENV ?= .venv-pycsw
PYCSW_STAMP := $(PYCSW_VENV)/.installed

.PHONY: demo test test-quick lint typecheck pytest bench install clean opensearch opensearch-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(PYCSW_STAMP): tests/thirdparty/pycsw-requirements.txt
	$(PYTHON) -m venv $(PYCSW_VENV)
	$(PYCSW_VENV)/bin/python -m pip install --quiet -r tests/thirdparty/pycsw-requirements.txt
	touch $(PYCSW_STAMP)

install: $(STAMP) $(PYCSW_STAMP)

demo: $(STAMP)
	$(BIN)/catalogue demo --port $${PORT:-8000}

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy core catalogue harvesters schemas search web bench

pytest: $(STAMP) $(PYCSW_STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

# The unit tests of the data side (vocabularies, readers, cleaning, alignment, serialisers),
# under a minute: no browser, no server, no harvest over HTTP. `make test` runs everything.
QUICK := tests/alignment tests/cleaning tests/readers tests/vocabularies tests/evaluation \
	tests/harvesters/test_harvest_common.py tests/search/test_text.py tests/search/test_expansion.py \
	tests/oai/test_serializers.py tests/api/test_jsonld.py
test-quick: $(STAMP)
	$(BIN)/pytest -q -m "not slow and not browser" $(QUICK)

bench: $(STAMP)
	$(BIN)/python -m bench --records $${RECORDS:-100000} --json var/bench/results.json

# A single-node OpenSearch 2.19 on 127.0.0.1:$${OPENSEARCH_PORT:-9200} (needs Java 17 and Maven;
# see docs/deploy.md). Prints its URL; `make opensearch-stop` stops it and removes its data.
opensearch:
	deploy/opensearch-node/node.sh start

opensearch-stop:
	deploy/opensearch-node/node.sh stop

clean:
	rm -rf $(VENV) var build *.egg-info
