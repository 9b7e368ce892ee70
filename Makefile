# The README's two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

# Debian packages the browser and remote-store tests use; `make test` installs what is missing.
SYSTEM_PACKAGES := chromium virtuoso-opensource

.PHONY: run test install build lint typecheck system-deps clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lskg needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

build: install
	$(BIN)/lskg build

run: build
	$(BIN)/lskg stats
	$(BIN)/lskg serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy kg api

system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v virtuoso-t >/dev/null 2>&1 || missing="$$missing virtuoso-opensource"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "make test needs the Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

# The suite twice: on the embedded store, then (every test that reaches a store) on a Virtuoso
# server that the suite starts on 127.0.0.1 and stops (`--backend virtuoso`). Both runs always
# happen; either failing fails.
test: install system-deps lint typecheck
	@status=0; \
	echo "== pytest --backend embedded"; $(BIN)/python -m pytest $(PYTEST_ARGS) --backend embedded || status=1; \
	echo "== pytest --backend virtuoso"; $(BIN)/python -m pytest $(PYTEST_ARGS) --backend virtuoso || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var dist build .pytest_cache .mypy_cache .ruff_cache
