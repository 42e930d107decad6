"""Lighthouse over the public pages, served as in production: `make lighthouse`.

A fresh SQLite database with the lessons (`run.py --prepare`), the static files collected,
gunicorn with the production settings on 127.0.0.1 (HTTPS redirect off: Lighthouse speaks plain
HTTP to it), then Lighthouse (npm, in bench/lighthouse/) with the system Chromium on each public
page, `--runs` times; the median score of each category is printed. The target (issue 14):
0.95 or more in every category on every page; exit status 1 when one is missed.

    python bench/lighthouse.py [--runs 3] [--pages / /join/ ...] [--keep]
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import REPO, free_port, run, wait_healthy  # noqa: E402

LIGHTHOUSE = REPO / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES = ["/", "/overview/", "/glossary/", "/lessons/kornilov-revolt/", "/join/", "/accounts/login/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGET = 0.95


def lighthouse(url: str, out: Path, tries: int = 3) -> dict[str, float]:
    """One Lighthouse run; a run Lighthouse itself gives up on (NO_NAVSTART and the like, seen
    on a busy machine) is tried again, up to `tries` times."""
    for attempt in range(1, tries + 1):
        try:
            return _lighthouse(url, out)
        except subprocess.CalledProcessError:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


def _lighthouse(url: str, out: Path) -> dict[str, float]:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ],
        env={**os.environ, "CHROME_PATH": chromium},
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text())
    return {name: report["categories"][name]["score"] or 0.0 for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs a page (median)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--pages", nargs="+", default=PAGES, help="paths (default: all public)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `make lighthouse` (npm ci in bench/lighthouse).")
    workdir = Path(tempfile.mkdtemp(prefix="classroom-lighthouse-"))
    server = None
    try:
        (workdir / "lighthouse_settings.py").write_text(
            "from classroom.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))}
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{workdir / 'lighthouse.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "lighthouse_settings",
                "PYTHONPATH": os.pathsep.join([str(workdir), str(REPO)]),
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DJANGO_LOG_LEVEL": "WARNING",
            }
        )
        bench_run = str(REPO / "bench" / "run.py")
        run([sys.executable, bench_run, "--prepare", str(workdir / "bench.json")], env)
        run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "classroom.wsgi", "--bind",
             f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
            env=env, cwd=REPO,
        )  # fmt: skip
        wait_healthy(base, server)
        rows, missed = [], []
        for path in args.pages:
            runs = [lighthouse(base + path, workdir / f"run-{i}.json") for i in range(args.runs)]
            medians = {name: statistics.median(r[name] for r in runs) for name in CATEGORIES}
            rows.append((path, medians))
            missed += [f"{path} {name} {score:.2f}" for name, score in medians.items()
                       if score < TARGET]  # fmt: skip
            print(path, " ".join(f"{name} {score:.2f}" for name, score in medians.items()),
                  flush=True)  # fmt: skip
        print()
        print("| page | " + " | ".join(CATEGORIES) + " |")
        print("|---|" + "--:|" * len(CATEGORIES))
        for path, medians in rows:
            print(f"| `{path}` | " + " | ".join(f"{medians[n]:.2f}" for n in CATEGORIES) + " |")
        print(f"\nTarget {TARGET} in every category: " + ("met" if not missed else "missed: "
              + ", ".join(missed)))  # fmt: skip
        if missed:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
