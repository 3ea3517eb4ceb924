"""docker-compose.yml is read, not run (no Docker engine here): services and wiring checked."""

import re
from pathlib import Path

import yaml

from config.queues import ALL_QUEUES, DEFAULT_QUEUE, TASK_ROUTES, WORKER_QUEUES

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "worker-background", "beat", "sandbox"]


def settings_variables() -> set[str]:
    source = (BASE_DIR / "config" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", source))


def test_the_stack_has_every_service():
    assert set(SERVICES) == {
        "postgres", "redis", "web", "worker", "worker-background", "beat", "sandbox"
    }  # fmt: skip


def test_every_service_has_a_health_check():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_app_services_build_the_dockerfile():
    assert (BASE_DIR / "Dockerfile").is_file()
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == ".", name


def test_every_variable_the_app_services_set_is_read_by_settings():
    known = settings_variables()
    for name in APP_SERVICES:
        unknown = set(SERVICES[name]["environment"]) - known
        assert not unknown, f"{name} sets {sorted(unknown)}, which settings never read"


def test_web_worker_and_beat_share_postgres_and_redis():
    for name in ["web", "worker", "worker-background", "beat"]:
        env = SERVICES[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert env["DEBUG"] == "false"
        assert set(SERVICES[name]["depends_on"]) == {"postgres", "redis"}


def test_the_portal_talks_to_the_sandbox_service_by_default():
    url = SERVICES["web"]["environment"]["TEXTCONNECT_API_URL"]
    assert "http://sandbox:8001/api" in url
    sandbox = SERVICES["sandbox"]
    assert sandbox["environment"]["SANDBOX_STANDALONE"] == "true"
    assert "8001" in sandbox["command"]


def test_secrets_are_required_not_defaulted():
    env = SERVICES["web"]["environment"]
    assert ":?" in env["SECRET_KEY"] and ":?" in env["FIELD_ENCRYPTION_KEYS"]


def _consumed(command: list[str]) -> list[str]:
    return command[command.index("-Q") + 1].split(",")


def test_the_workers_consume_the_queue_groups_so_no_backlog_delays_sending():
    assert _consumed(SERVICES["worker"]["command"]) == WORKER_QUEUES["foreground"]
    assert _consumed(SERVICES["worker-background"]["command"]) == WORKER_QUEUES["background"]


def test_every_routed_queue_is_consumed_and_sending_is_apart_from_bulk_work():
    routed = {route["queue"] for route in TASK_ROUTES.values()} | {DEFAULT_QUEUE}
    assert routed == set(ALL_QUEUES)
    foreground = set(WORKER_QUEUES["foreground"])
    assert {"send", "inbound"} <= foreground
    assert not foreground & {"bulk", "reports", "balance"}


def test_every_gunicorn_command_uses_the_config_without_query_strings():
    commands = [SERVICES["web"]["command"], SERVICES["sandbox"]["command"]]
    commands.append((BASE_DIR / "Dockerfile").read_text().split("\nCMD ", 1)[1])
    for command in commands:
        assert re.search(r"--config\W+config/gunicorn.py", command), command
        assert "--access-logformat" not in command and "--access-logfile" not in command
