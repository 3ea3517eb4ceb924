"""The package stands alone: no Django, only requests and the standard library."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import textconnect

ROOT = Path(__file__).resolve().parents[2]

BLOCK_DJANGO_AND_IMPORT = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class BlockDjango:
        def find_spec(self, name, path=None, target=None):
            if name == "django" or name.startswith("django."):
                raise ImportError("django is not allowed here")
            return None

    sys.meta_path.insert(0, BlockDjango())
    import textconnect
    for module in pkgutil.iter_modules(textconnect.__path__):
        importlib.import_module(f"textconnect.{module.name}")
    allowed = set(sys.stdlib_module_names) | {
        "textconnect", "requests", "urllib3", "idna", "certifi", "charset_normalizer", "chardet",
        "brotli", "brotlicffi", "zstandard", "socks", "simplejson", "cython_runtime",
    }
    outside = sorted({
        name.split(".")[0] for name in sys.modules
        if not name.startswith("_") and name.split(".")[0] not in allowed
    })
    print(",".join(outside))
    """
)


def test_package_imports_without_django_and_only_requests_beyond_stdlib():
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_DJANGO_AND_IMPORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_no_module_mentions_django():
    for path in (ROOT / "textconnect").glob("*.py"):
        assert "import django" not in path.read_text()
        assert "from django" not in path.read_text()


def test_version_is_exported():
    assert textconnect.__version__ == "0.1.0"


def test_every_public_name_is_exported():
    for name in textconnect.__all__:
        assert hasattr(textconnect, name), name
