# Every target installs what it needs when missing: on a fresh machine `make demo` and `make test` are enough.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test bench corpus clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# CPU build of torch first, or pip pulls a multi-GB CUDA build for sentence-transformers
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf .demo-home
	TRACKER_HOME=$(CURDIR)/.demo-home $(VENV)/bin/tracker demo

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench.run --out bench/results.json

# Re-render corpus/sites from corpus/src (needs a CJK font for the PDFs: apt-get install fonts-wqy-microhei)
corpus: $(STAMP)
	$(PY) corpus/tools/build.py

clean:
	rm -rf $(VENV) .demo-home .pytest_cache
