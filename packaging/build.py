"""Build JamDeck for this platform with PyInstaller, then smoke-test the frozen app.

    python packaging/build.py              # build into dist/jamdeck/, then smoke test
    python packaging/build.py --smoke-only # test an existing dist/jamdeck/

The smoke test runs the frozen executable the way a new user would, with a
fresh, temporary profile and no display (QT_QPA_PLATFORM=offscreen):

1. ``gui --screenshot FILE --quit-after 3``: the window opens, paints and quits;
2. ``demo --headless --speed 0``: the bundled demo jam plays into the library;
3. the import's worker process, which is the frozen executable started again
   with a hidden argument (``desktop.app.import_worker``), reads a 6 MB archive
   by itself; then ``import`` of that archive lands every post;
4. ``record --source x|mastodon|bluesky`` against a closed port on 127.0.0.1
   with dummy credentials: each network SDK (imported lazily, so the easiest
   thing to leave out of a build) loads, and the source fails softly: it says it
   never reached the network and exits 4 (an import error would say otherwise).

Any non-zero exit, a missing or empty screenshot, or any output on stderr that
is not on the short, commented list below fails the build.
"""

from __future__ import annotations

import argparse
import io
import marshal
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "jamdeck.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
APP_DIR = DIST / "jamdeck"
SMOKE_TIMEOUT = 120  # s per command; a first start of a cold frozen app takes a few
BIG_IMPORT_POSTS = 10_000  # about 6 MB of X v2 lines: over the worker's threshold
CLOSED_PORT = "http://127.0.0.1:9"  # the discard port: nothing listens, nothing leaves the machine

# stderr lines the smoke test accepts. Each one says why; nothing else is ignored.
ALLOWED_STDERR = (
    # Qt's offscreen platform plugin prints this for every top-level window it
    # shows; it is about the headless test platform, not about the app.
    "This plugin does not support propagateSizeHints()",
    # The record command reports its progress on stderr on purpose (stdout is
    # kept for data); these are its two status lines.
    "Ctrl-C stops.",
    "Recorded 0 new posts (0 updated).",
    # A network source against the smoke test's closed port: the run says so and
    # removes the session it made (exit 4, see smoke_test).
    "never reached the network",
    "Nothing was recorded: session",
)
# What the network sources' smoke runs must say (their SDK loaded, the port is shut).
UNREACHED = "never reached the network"
EXIT_SOURCE = 4


class SmokeFailure(RuntimeError):
    pass


def executable() -> Path:
    name = "jamdeck.exe" if sys.platform == "win32" else "jamdeck"
    return APP_DIR / name


def build() -> float:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        sys.exit("error: PyInstaller is not installed: pip install 'pyinstaller>=6.10,<7'")
    WORK.mkdir(parents=True, exist_ok=True)
    log_path = WORK / "pyinstaller.log"
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        str(SPEC),
    ]
    print(f"building: {' '.join(command)}", flush=True)
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        result = subprocess.run(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        print(log_path.read_text(encoding="utf-8", errors="replace")[-6000:], file=sys.stderr)
        sys.exit(f"error: PyInstaller failed (exit {result.returncode}); full log in {log_path}")
    print(f"built {APP_DIR} in {elapsed:.0f} s ({folder_size(APP_DIR) / 1e6:.0f} MB)", flush=True)
    return elapsed


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def smoke_env(profile: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # A developer's credentials or profile must not leak into the test run.
        if not key.startswith(("JAMDECK_", "XDG_", "QT_", "PYTHON"))
    }
    for name in ("DATA", "CONFIG", "CACHE", "STATE"):
        env[f"JAMDECK_{name}_DIR"] = str(profile / name.lower())
        env[f"XDG_{name}_HOME"] = str(profile / f"xdg-{name.lower()}")
    env["HOME"] = str(profile / "home")
    env["QT_QPA_PLATFORM"] = "offscreen"
    # No keyring daemon in CI, and the test must never read the developer's keyring.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    (profile / "home").mkdir(parents=True, exist_ok=True)
    # The smoke test stays offline: no avatar downloads.
    (profile / "config").mkdir(parents=True, exist_ok=True)
    (profile / "config" / "settings.toml").write_text("avatar_cache = false\n", encoding="utf-8")
    return env


def run_frozen(
    args: list[str], env: dict[str, str], *, what: str, exit_code: int = 0
) -> subprocess.CompletedProcess:
    command = [str(executable()), *args]
    print(f"smoke: {what}: {' '.join(args)}", flush=True)
    started = time.monotonic()
    try:
        result = subprocess.run(
            command,
            env=env,
            cwd=env["HOME"],
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{what}: still running after {SMOKE_TIMEOUT} s") from exc
    print(f"       exit {result.returncode} after {time.monotonic() - started:.1f} s", flush=True)
    unexpected = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not any(allowed in line for allowed in ALLOWED_STDERR)
    ]
    if result.returncode != exit_code or unexpected:
        raise SmokeFailure(
            f"{what}: exit {result.returncode}\n--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout}"
        )
    return result


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SmokeFailure(f"{path} is not a PNG")
    return struct.unpack(">II", data[16:24])


def smoke_big_import(profile: Path, env: dict[str, str]) -> None:
    """A big import's worker is the frozen executable started again with the
    worker's hidden argument: it must read the archive by itself, and an import
    of the archive must land every post."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from desktop.app import import_worker
    from desktop.app.import_pipeline import MIN_BYTES
    from tests.fakes.archive import write_archive

    archive = write_archive(profile / "big.jsonl", BIG_IMPORT_POSTS)
    if archive.stat().st_size < MIN_BYTES:
        raise SmokeFailure(f"import worker: {archive} is too small to need the worker")
    command = [str(executable()), import_worker.WORKER_ARGUMENT, "2000", str(archive)]
    print(f"smoke: import worker: {' '.join(command[1:])}", flush=True)
    worker = subprocess.run(
        command, env=env, cwd=env["HOME"], capture_output=True, timeout=SMOKE_TIMEOUT, check=False
    )
    messages = []
    stream = io.BytesIO(worker.stdout)
    while stream.tell() < len(worker.stdout):
        messages.append(marshal.load(stream))  # the build's Python is the frozen app's
    posts = sum(m[2] for m in messages if m[0] == "batch")
    if worker.returncode != 0 or worker.stderr or messages[-1:] != [("done",)]:
        raise SmokeFailure(
            f"import worker: exit {worker.returncode}, last message {messages[-1:]}\n"
            f"--- stderr ---\n{worker.stderr.decode(errors='replace')}"
        )
    if posts != BIG_IMPORT_POSTS:
        raise SmokeFailure(f"import worker: read {posts} of {BIG_IMPORT_POSTS} posts")
    print(f"       {len(messages)} messages, {posts} posts")

    result = run_frozen(
        ["import", str(archive), "--session", "smoke-import"], env, what="big import"
    )
    if f"Imported {BIG_IMPORT_POSTS} new posts" not in result.stdout:
        raise SmokeFailure(f"big import: unexpected output {result.stdout!r}")
    print(f"       {result.stdout.strip()}")


def smoke_test() -> None:
    exe = executable()
    if not exe.is_file():
        raise SmokeFailure(f"{exe} does not exist: build first")
    with tempfile.TemporaryDirectory(prefix="jamdeck-smoke-") as tmp:
        profile = Path(tmp)
        env = smoke_env(profile)
        shot = profile / "window.png"

        run_frozen(
            ["gui", "--screenshot", str(shot), "--quit-after", "3", "--size", "1200x800"],
            env,
            what="window",
        )
        if not shot.is_file() or shot.stat().st_size == 0:
            raise SmokeFailure(f"window: no screenshot at {shot}")
        width, height = png_size(shot)
        if (width, height) < (600, 400):
            raise SmokeFailure(f"window: screenshot is only {width}×{height}")
        kept = WORK / "smoke-window.png"
        shutil.copyfile(shot, kept)
        print(f"       screenshot {width}×{height}, {shot.stat().st_size} bytes (kept as {kept})")

        result = run_frozen(["demo", "--headless", "--speed", "0"], env, what="demo jam")
        if "Demo jam recorded:" not in result.stdout or " 0 posts" in result.stdout:
            raise SmokeFailure(f"demo jam: unexpected output {result.stdout!r}")
        print(f"       {result.stdout.strip()}")

        smoke_big_import(profile, env)

        networks = {
            "x": ({"JAMDECK_X_BEARER_TOKEN": "smoke-test", "JAMDECK_X_API_BASE": CLOSED_PORT}, []),
            "mastodon": ({"JAMDECK_MASTODON_TOKEN": "smoke-test"}, ["--instance", CLOSED_PORT]),
            "bluesky": (
                {
                    "JAMDECK_BLUESKY_HANDLE": "smoke.test",
                    "JAMDECK_BLUESKY_APP_PASSWORD": "smoke-test",
                    # Never the public Jetstream hosts: the closed port too.
                    "JAMDECK_JETSTREAM_URL": CLOSED_PORT.replace("http://", "ws://"),
                    "JAMDECK_BLUESKY_APPVIEW": CLOSED_PORT,
                },
                ["--service", CLOSED_PORT],
            ),
        }
        for network, (extra_env, extra_args) in networks.items():
            result = run_frozen(
                [
                    "record",
                    "--source",
                    network,
                    "--session",
                    f"smoke-{network}",
                    "--hashtag",
                    "smoke",
                    "--duration",
                    "2",
                    *extra_args,
                ],
                {**env, **extra_env},
                what=f"{network} SDK",
                exit_code=EXIT_SOURCE,
            )
            if UNREACHED not in result.stderr:
                raise SmokeFailure(f"{network} SDK: expected {UNREACHED!r}:\n{result.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke-only", action="store_true", help="test the existing build")
    args = parser.parse_args()
    print(
        f"JamDeck build on {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )
    started = time.monotonic()
    if not args.smoke_only:
        build()
    try:
        smoke_test()
    except SmokeFailure as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"smoke test passed; total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
