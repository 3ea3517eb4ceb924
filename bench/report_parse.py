"""Parse and store a Messages report of a million rows, against reading and storing it bare.

    python bench/report_parse.py [--rows N] [--quick]

Generates the gateway's CSV (quoted fields, UK dates, one row per part) into a file, reads it once
with Python's `csv` module alone, and once more with `csv` while COPYing every row as read into a
plain table of text columns (the ceiling: reading and storing, nothing typed, nothing indexed).
Then runs the snapshot's path on it: the streamed reader, typed values, the chart summary and COPY
into `reporting_reportrow`, in one transaction. Then renders the report page (first page, a later
page, sorted, filtered, searched) with that snapshot present. Last line: {"bench": "report_parse",
"rows": ..., "rows_per_s": ..., "ratio_vs_csv": ..., "ratio_vs_csv_copy": ... (target 0.5),
"peak_rss_mb": ..., "page_p95_ms": ...}
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from _portal import bench_database, page_timings, percentile, setup_django

HEADER = (
    '"MessageID","Username","Destination","Source","Status","Schedule Date","Sent Date",'
    '"Delivery Date"\n'
)
STATUSES = ["Delivered"] * 7 + ["Undeliverable", "Expired", "Sent"]
ROUNDS = 40


def generate(path: Path, rows: int) -> None:
    """The gateway's Messages CSV: `rows` parts over seven days."""
    start = datetime(2026, 11, 1, 8, 0, 0)
    step = timedelta(days=7) / rows
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            sent = start + step * i
            status = STATUSES[i % 10]
            delivered = (sent + timedelta(seconds=4)).strftime("%d/%m/%Y %H:%M:%S")
            out.write(
                f'"{3_500_000 + i}","acme","447{i % 1_000_000:06d}500","Acme","{status}","",'
                f'"{sent:%d/%m/%Y %H:%M:%S}","{delivered if status == "Delivered" else ""}"\n'
            )


def csv_alone(path: Path) -> float:
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as text:
        for _ in csv.reader(text):
            pass
    return time.perf_counter() - started


def csv_copy(path: Path) -> float:
    """Read the file with `csv` and COPY every row into a plain table in the bench database."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        columns = ", ".join(f"c{i} text" for i in range(HEADER.count(",") + 1))
        cursor.execute(f"CREATE TABLE bench_csv_copy ({columns})")
        started = time.perf_counter()
        with (
            cursor.copy("COPY bench_csv_copy FROM STDIN") as copy,
            path.open(encoding="utf-8", newline="") as text,
        ):
            reader = csv.reader(text)
            next(reader)  # the header
            for row in reader:
                copy.write_row(row)
        return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    workdir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    path = workdir / "messages.csv"
    generate(path, rows)
    print(f"{rows:,} rows, {path.stat().st_size / 1e6:.0f} MB of CSV")
    import os

    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    setup_django(bench_database("bench_report_parse"))

    from django.core.files import File
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import workspace_create
    from reporting.models import ReportSnapshot
    from reporting.services.snapshots import snapshot_parse

    user = User.objects.create_user("bench@example.com", "x")
    workspace = workspace_create(name="Bench", owner=user)
    snapshot = ReportSnapshot.objects.create(
        workspace=workspace,
        report_type="Messages",
        range_start=timezone.now() - timedelta(days=7),
        range_end=timezone.now(),
        state="parsing",
    )
    with path.open("rb") as raw:
        snapshot.raw_file.save("bench.csv", File(raw), save=True)

    baseline = csv_alone(path)
    ceiling = csv_copy(path)
    started = time.perf_counter()
    snapshot_parse(snapshot=snapshot, fetched_at=timezone.now())
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    snapshot.refresh_from_db()
    assert snapshot.state == "ready" and snapshot.row_count == rows, snapshot.error_text
    print(
        f"csv alone {baseline:.1f} s; csv and COPY {ceiling:.1f} s; parse and store {seconds:.1f} s"
    )

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reporting_reportrow")
    setup_test_environment()
    client = Client()
    client.force_login(user)
    base = f"/w/{workspace.slug}/reports/{snapshot.public_id}/"
    cursor_value = client.get(base).context["page"].next_cursor
    urls = [
        base,
        f"{base}?cursor={cursor_value}",
        f"{base}?sort=sent_at&dir=desc",
        f"{base}?status=Undeliverable&sort=destination",
        f"{base}?q=447000123",
    ]
    timings = page_timings(client, urls, ROUNDS)
    rate = rows / seconds
    print(
        json.dumps(
            {
                "bench": "report_parse",
                "rows": rows,
                "seconds": round(seconds, 1),
                "rows_per_s": round(rate),
                "csv_rows_per_s": round(rows / baseline),
                "ratio_vs_csv": round(rate / (rows / baseline), 3),
                "csv_copy_seconds": round(ceiling, 1),
                "ratio_vs_csv_copy": round(ceiling / seconds, 3),
                "peak_rss_mb": round(peak),
                "page_p50_ms": round(percentile(timings, 50), 1),
                "page_p95_ms": round(percentile(timings, 95), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
