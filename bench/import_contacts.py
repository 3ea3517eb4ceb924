"""Bench: import a generated CSV of contacts into PostgreSQL, against COPY of the same rows.

    python bench/import_contacts.py [--rows N] [--quick] [--keep]

Builds a CSV (realistic UK and international numbers in mixed formats, about 5% bad rows),
creates a throw-away database next to DATABASE_URL's, migrates it, and runs the import job in a
separate process, as a worker would (`contacts.services.importing.import_run`), measuring its time
and peak memory. Two baselines in the same database follow:

- PostgreSQL's own `COPY ... FROM STDIN (FORMAT csv)` of the same file into a plain table:
  `ratio_vs_copy` is COPY's time over the import's (the physical limit, which validates nothing);
- the validated copy, the ceiling for the work an import cannot skip: Python's `csv` reads the
  same file, `phonenumbers` parses every number (E.164, as the import stores it), and the rows with
  a possible number are COPYed into a plain table: `ratio_vs_validated_copy` is its time
  over the import's (target 0.4; the rest is duplicate checks, indexes and bookkeeping).

`worker_cpu_seconds` is the import process's own CPU time (both its threads), which moves less
than the seconds on a machine shared with other work.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import phonenumbers
import psycopg
from _portal import bench_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
FIRST = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Muhammad",
    "Harry",
    "Sophie",
    "Zara",
    "Priya",
    "Chloé",
    "José",
    "Siobhán",
    "Wei",
    "Aoife",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "O'Brien",
    "Evans",
    "Thomas",
    "Roberts",
    "Nowak",
    "García",
    "Müller",
    "Nguyen",
]
GROUPS = ["Customers", "Newsletter", "Leeds, North", "Staff", "VIP", ""]  # fmt: skip


def number(rng: random.Random, i: int) -> str:
    """Unique by construction (the row index is in the digits), in the formats people type."""
    n = f"{i % 10_000_000:07d}"
    kind = i % 10
    if kind < 4:
        return f"07{kind}{n[:2]} {n[2:]}"
    if kind < 6:
        return f"+44 7{kind}{n[:2]} {n[2:]}"
    if kind < 7:
        return f"447{kind}{n}"
    if kind < 8:
        return f"+1 (212) {n[:3]}-{n[3:]}"
    if kind < 9:
        return f"+33 6 8{n[:1]} {n[1:3]} {n[3:5]} {n[5:]}"
    return f"0049 151 {n}0"


def generate(path: Path, rows: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,Mobile,Email,Group\n")
        for i in range(rows):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            mobile = number(rng, i)
            if rng.random() < 0.05:  # bad rows: no name, or a number nobody can dial
                bad += 1
                if rng.random() < 0.5:
                    name = ""
                else:
                    mobile = rng.choice(["n/a", "call me", "12", "07700"])
            email = f"person{i}@example.com" if i % 3 else ""
            group = rng.choice(GROUPS)
            group = f'"{group}"' if "," in group else group
            out.write(f"{name},{mobile},{email},{group}\n")
    return bad


def e164(text: str) -> str | None:
    """The number in E.164 as the import reads it (national numbers in the UK), or None."""
    text = text.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.isdigit() and len(text) > 10 and not text.startswith("0"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validated_copy(conn: psycopg.Connection, path: Path) -> tuple[float, int]:
    """Read `path` with `csv`, parse every number, COPY the valid rows into a plain table: the
    seconds it took and the rows stored."""
    conn.execute("CREATE TABLE bench_validated (name text, number text, email text, grp text)")
    stored = 0
    started = time.perf_counter()
    with (
        conn.cursor() as cur,
        cur.copy("COPY bench_validated FROM STDIN") as copy,
        path.open(encoding="utf-8", newline="") as src,
    ):
        reader = csv.reader(src)
        next(reader)  # the header
        for name, mobile, email, group in reader:
            number = e164(mobile)
            if number is not None:
                copy.write_row((name.strip(), number, email.strip(), group.strip()))
                stored += 1
    return time.perf_counter() - started, stored


WORKER = """
import json, resource, sys, time
import django
django.setup()
from contacts.models import ContactImport
from contacts.services.importing import import_run
import cProfile, os
started = time.perf_counter()
if os.environ.get("BENCH_PROFILE"):
    cProfile.run("import_run(import_id=int(sys.argv[1]))", os.environ["BENCH_PROFILE"])
else:
    import_run(import_id=int(sys.argv[1]))
seconds = time.perf_counter() - started
job = ContactImport.objects.get(pk=int(sys.argv[1]))
usage = resource.getrusage(resource.RUSAGE_SELF)
rss = usage.ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mb": rss, "state": job.state,
    "cpu_seconds": usage.ru_utime + usage.ru_stime,
    "rows_read": job.rows_read, "imported": job.imported, "duplicates": job.duplicates,
    "failed": job.failed, "error": job.error}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    url = bench_database("bench_import_contacts")
    media = Path(tempfile.mkdtemp(prefix="bench-contacts-"))
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media),
           "DJANGO_SETTINGS_MODULE": "config.settings", "SANDBOX_ENABLED": "false",
           "CELERY_TASK_ALWAYS_EAGER": "true", "LOG_LEVEL": "WARNING"}  # fmt: skip
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)

    csv_path = media / "contact-imports" / "bench.csv"
    csv_path.parent.mkdir(parents=True)
    started = time.perf_counter()
    bad = generate(csv_path, rows)
    print(f"generated {rows} rows ({bad} bad) in {time.perf_counter() - started:.1f}s", flush=True)

    setup = f"""
import django
django.setup()
from accounts.models import Workspace
from contacts.models import ContactImport
ws = Workspace.objects.create(name="Bench", slug="bench")
job = ContactImport.objects.create(workspace=ws, file="contact-imports/bench.csv",
    original_name="bench.csv", size={csv_path.stat().st_size}, state="queued",
    mapping=["name", "number", "email", "group"], policy="refuse", has_header=True)
print(job.pk)
"""
    job_id = subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()[-1]  # fmt: skip
    # The import deletes its file when done; COPY reads a copy of it.
    copy_path = media / "copy.csv"
    copy_path.write_bytes(csv_path.read_bytes()) if rows <= 200_000 else os.link(
        csv_path, copy_path
    )
    done = subprocess.run([sys.executable, "-c", WORKER, job_id], env=env, cwd=ROOT, check=True,
                          stdout=subprocess.PIPE, text=True)  # fmt: skip
    worker = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"import: {worker}", flush=True)

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_copy (name text, number text, email text, grp text)")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
            copy_path.open("rb") as src,
        ):
            while block := src.read(1 << 20):
                copy.write(block)
        copy_seconds = time.perf_counter() - started
        print(f"COPY: {copy_seconds:.2f}s", flush=True)
        validated_seconds, validated_rows = validated_copy(conn, copy_path)
    print(f"validated copy: {validated_seconds:.2f}s, {validated_rows} rows", flush=True)

    if not args.keep:
        drop_database(url)
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    seconds = worker["seconds"]
    print(json.dumps({
        "bench": "import_contacts",
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "ratio_vs_copy": round(copy_seconds / seconds, 3),
        "validated_copy_seconds": round(validated_seconds, 1),
        "ratio_vs_validated_copy": round(validated_seconds / seconds, 3),
        "peak_rss_mb": round(worker["peak_rss_mb"]),
        "worker_cpu_seconds": round(worker["cpu_seconds"], 1),
        "imported": worker["imported"],
        "duplicates": worker["duplicates"],
        "failed": worker["failed"],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
