"""Run every benchmark under bench/ (`make bench`), or the ones named: `bench/run.py import_roster`.

Each benchmark is a module here with a main(); it uses a throw-away database (a
temporary SQLite file unless BENCH_DATABASE_URL is set), never the development one.
"""

import importlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCHMARKS = [
    "admin_lists",
    "import_roster",
    "reports",
    "points",
    "scale",
    "load",
    "exports",
    "binder",
    "claims",
    "postings",
    "passbooks",
]


def setup_django(workdir: str | None = None) -> None:
    if "DATABASE_URL" not in os.environ or workdir:
        workdir = workdir or tempfile.mkdtemp(prefix="fulian-bench-")
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main() -> None:
    wanted = sys.argv[1:] or BENCHMARKS
    for name in wanted:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main()
