# Shuangfang: `make run` starts the product with demo data on SQLite; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint fmt install deps assets messages check-migrations makemessages bench bundle

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q "uv==0.13.9"

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(VENV)/.synced
assets: node_modules/.installed
messages: deps
	@$(BIN)/python -m shuangfang.core.i18n_compile > /dev/null

install: deps assets messages

var/secret_key:
	@mkdir -p var
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

var/field_keys:
	@mkdir -p var
	@$(PY) -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())' > $@
	@chmod 600 $@

# The console shows warnings only, then the logins and the address last; `make run V=1` shows all.
run: install var/secret_key var/field_keys
	@SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py migrate --noinput -v0
	@SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py createcachetable -v0
	@SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py demo --if-empty $(if $(V),,-v0)
	@SECRET_KEY_FILE=var/secret_key $(BIN)/python manage.py collectstatic --noinput -v0
	@SECRET_KEY_FILE=var/secret_key DEMO_SIMULATOR=$${DEMO_SIMULATOR:-1} $(BIN)/python manage.py serve $(if $(V),,-v 0)

test: install
	SHUANGFANG_TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SHUANGFANG_TESTING=1 $(BIN)/mypy shuangfang tests conftest.py && SHUANGFANG_TESTING=1 MYPYPATH=bench $(BIN)/mypy bench
	SHUANGFANG_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

fmt: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the translation catalogues of every app after changing user-facing strings.
makemessages: deps
	SHUANGFANG_TESTING=1 $(BIN)/python manage.py i18n_extract

bench: install
	@echo "See bench/README.md"

# The offline bundle for an intranet install (docs/operations.md "Offline install").
bundle: install
	$(BIN)/python deploy/offline_bundle.py
