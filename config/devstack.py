"""`make run`: the portal, two Celery workers (foreground and background queues) and beat as
child processes of one command.

Ctrl-C (or SIGTERM) stops them all; a child that ends on its own stops the others, so a broken
worker is never left unnoticed behind a running web server.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config.queues import WORKER_QUEUES

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 10


def _commands(addr: str) -> dict[str, list[str]]:
    python = sys.executable
    beat_schedule = BASE_DIR / "var" / "celery" / "beat-schedule"
    return {
        "web": [python, "manage.py", "runserver", addr],
        **{
            f"worker-{group}": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "-Q",
                ",".join(queues),
                "--concurrency",
                "2" if group == "foreground" else "1",
                "-n",
                f"{group}@%h",
            ]  # fmt: skip
            for group, queues in WORKER_QUEUES.items()
        },
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "-l",
            "info",
            "--schedule",
            str(beat_schedule),
        ],
    }


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    addr = os.environ.get("RUN_ADDR", "127.0.0.1:8000")
    (BASE_DIR / "var" / "celery" / "queue").mkdir(parents=True, exist_ok=True)
    children = {
        name: subprocess.Popen(cmd, cwd=BASE_DIR)  # noqa: S603  (our own fixed commands)
        for name, cmd in _commands(addr).items()
    }
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stopping:
            ended = [name for name, proc in children.items() if proc.poll() is not None]
            if ended:
                print(f"\n{', '.join(ended)} stopped; stopping the others.", file=sys.stderr)
                break
            time.sleep(0.5)
    finally:
        print("\nStopping web, workers and beat…", file=sys.stderr)
        _stop(children)
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
