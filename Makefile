# Two set-up commands: `make run` and `make test`. Both install what they need first.
.PHONY: install run test lint format bench messages

# uv from PATH, or from the Python that pyenv picks for this folder (installed there when missing).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379
# Test processes (pytest-xdist): tests that start workers, browsers or servers run in one of them.
TEST_PROCESSES ?= 2

install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: install
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py seed_demo
	$(UV) run python -m config.devstack

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: install
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# Refresh the message catalogues after changing user-facing text (docs/languages.md).
messages: install
	$(UV) run python scripts/translations.py make

test: lint
	bash scripts/ensure-test-services.sh
	$(UV) run python manage.py makemigrations --check --dry-run
	$(UV) run python scripts/translations.py check
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)/0} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)/1} \
	SANDBOX_ENABLED=true \
	$(UV) run pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

bench: install
	bash scripts/ensure-test-services.sh
	@for script in bench/[a-z]*.py; do \
		echo "== $$script"; \
		DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(UV) run python $$script $(BENCH_ARGS) || exit 1; \
	done
