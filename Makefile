# skinaudit — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED ?= ../shared

.PHONY: install demo test services bench bench-claims bench-extract bench-links bench-links-injected bench-check bench-crawl bench-report bench-workers clean

install: $(STAMP)

# The venv is rebuilt when pyproject.toml changes; nothing else is installed by hand.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: install
	$(BIN)/skinaudit run --demo

test: install
	$(BIN)/python -m pytest -q

# Chromium, Redis and PostgreSQL for the browser and team-scale tests (Debian packages, loopback only).
services:
	bash scripts/setup-services.sh

BENCHES := bench-check bench-claims bench-extract bench-links bench-links-injected bench-crawl bench-report

# Every benchmark runs and prints its figures even when an earlier one misses its target; the
# missed ones are listed at the end and make the exit status non-zero.
bench: install
	@missed=""; for b in $(BENCHES); do $(MAKE) --no-print-directory $$b || missed="$$missed $$b"; done; \
	if [ -n "$$missed" ]; then echo "targets missed:$$missed"; exit 1; else echo "all targets met"; fi

bench-check: install
	$(BIN)/python bench/bench_check.py --shared $(SHARED)

bench-claims: install
	$(BIN)/python bench/bench_claims.py --shared $(SHARED)

bench-extract: install
	$(BIN)/python bench/bench_extract.py --shared $(SHARED)

bench-links: install
	$(BIN)/python bench/bench_links.py

bench-links-injected: install
	$(BIN)/python bench/bench_links_injected.py --shared $(SHARED)

bench-crawl: install
	$(BIN)/python bench/bench_crawl.py

bench-report: install
	$(BIN)/python bench/bench_report.py

bench-workers: install
	$(BIN)/python bench/bench_workers.py

clean:
	rm -rf $(VENV) reports/*.csv reports/*.xlsx reports/*.html reports/*.json reports/articles data/*.sqlite*
