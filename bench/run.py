"""Run every benchmark under bench/ (`make bench`) and print its figures.

Benchmarks use their own throw-away database (a temporary SQLite file unless
BENCH_DATABASE_URL is set), never the development database.
"""

import importlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="fulian-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    wanted = sys.argv[1:]
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        if wanted and path.stem not in wanted:
            continue
        print(f"== {path.stem}")
        importlib.import_module(f"bench.{path.stem}").main()


if __name__ == "__main__":
    main()
