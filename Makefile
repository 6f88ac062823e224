# Two entry points: `make run` (main job on seeds/ -> out/) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m extract run seeds --out out

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out

# Headless browser for tests/test_report.py (Debian's chromium; a CJK font for
# readable screenshots).  Installs only when /usr/bin/chromium is missing;
# needs root (CI runs as root) or passwordless sudo.
CHROMIUM_PKGS := chromium fonts-wqy-zenhei
chromium:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	else \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $(CHROMIUM_PKGS); \
	fi
