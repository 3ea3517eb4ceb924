"""The portal's message catalogues: extract them the one way (`make`), and `check` that they are
current and that every language is complete.

    uv run python scripts/translations.py make    # refresh locale/*/LC_MESSAGES/django.po
    uv run python scripts/translations.py check   # fails if `make` would change a catalogue, or
                                                  # a language has untranslated or fuzzy entries

`make test` runs `check` before pytest; docs/languages.md says how to add a string or a language.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# Not the portal's own text: the virtualenv, run data, tests, benchmarks, docs and scripts.
IGNORE = ["var", "tests", "bench", "docs", "scripts", "static/vendor", "node_modules"]
# Header lines that change at every extraction without any entry changing.
VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.M)


def languages() -> list[str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    default = settings.LANGUAGE_CODE
    return [code.replace("-", "_") for code, _name in settings.LANGUAGES if code != default]


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def make() -> None:
    args = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
    args += [f"--locale={code}" for code in languages()]
    args += [f"--ignore={path}/*" for path in IGNORE]
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _stable(path: Path) -> str:
    return VOLATILE.sub("", path.read_text(encoding="utf-8")) if path.exists() else ""


def check() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as kept:
        saved = Path(kept) / "locale"
        shutil.copytree(LOCALE, saved)
        try:
            make()
            for po in catalogues():
                before = saved / po.relative_to(LOCALE)
                if _stable(po) != _stable(before):
                    problems.append(f"{po.relative_to(ROOT)} is not current: run `make messages`")
        finally:
            shutil.rmtree(LOCALE)
            shutil.copytree(saved, LOCALE)
    for po in catalogues():
        for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
            found = subprocess.run(
                ["msgattrib", flag, "--no-obsolete", str(po)],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            count = found.count("\nmsgid ") - (1 if 'msgid ""\nmsgstr ""' in found else 0)
            if count > 0:
                problems.append(f"{po.relative_to(ROOT)}: {count} {what} entries")
        mo = po.with_suffix(".mo")
        with tempfile.TemporaryDirectory() as built:
            fresh = Path(built) / "django.mo"
            checked = subprocess.run(
                ["msgfmt", "--check", "-o", str(fresh), str(po)], capture_output=True, text=True
            )
            if checked.returncode:
                problems.append(f"{po.relative_to(ROOT)}: {checked.stderr.strip()}")
            elif not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                problems.append(f"{mo.relative_to(ROOT)} does not match its .po: `make messages`")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"translations: {len(catalogues())} catalogue(s) current and complete")
    return 1 if problems else 0


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "make":
        make()
        subprocess.run(
            [sys.executable, "manage.py", "compilemessages", "--ignore=.venv"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return 0
    if command == "check":
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
