"""Run the selected ETSI NGSI-LD conformance test cases (Robot Framework) against a fresh `thanglong serve`.

Usage: `python -m tests.conformance.etsi_runner [--output DIR] [--test NAME ...]` from the repository
root; the pytest wrapper is tests/conformance/test_etsi.py. What runs and what does not, and why, is in
tests/conformance/etsi/selected.txt; the page is docs/operations-ngsi-conformance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from thanglong.core.testing.plugin import free_port

HERE = Path(__file__).resolve().parent
SUITE = HERE / "etsi"
SELECTION = SUITE / "selected.txt"
TP_ROOT = SUITE / "TP" / "NGSI-LD"
BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 120
# The whole selection runs in about two minutes on the development machine; this bounds a hung run.
ROBOT_TIMEOUT_SECONDS = 480
# The suite names its contexts by these URLs; the files are vendored, registered, never fetched.
SUITE_CONTEXTS = {
    "https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/jsonld-contexts/"
    "ngsi-ld-test-suite.jsonld": SUITE / "resources" / "jsonld-contexts" / "ngsi-ld-test-suite.jsonld",
    "https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/jsonld-contexts/"
    "ngsi-ld-test-suite-compound.jsonld": SUITE
    / "resources"
    / "jsonld-contexts"
    / "ngsi-ld-test-suite-compound.jsonld",
}
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"


@dataclass(frozen=True)
class Selection:
    """The groups to run and the single test cases left out, each with its reason."""

    groups: list[str]
    excluded_groups: dict[str, str]
    excluded_tests: dict[str, str]


@dataclass
class Outcome:
    """What robot reported, by test case name."""

    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def read_selection(path: Path = SELECTION) -> Selection:
    """Parse selected.txt: `run GROUP`, `not-run GROUP -- reason`, `exclude TEST -- reason`."""
    groups: list[str] = []
    excluded_groups: dict[str, str] = {}
    excluded_tests: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        verb, _, rest = line.partition(" ")
        target, _, reason = (part.strip() for part in rest.partition("--"))
        if verb == "run":
            if not (TP_ROOT / target).exists():
                raise ValueError(f"{path.name}:{number}: {target} is not in the vendored suite")
            groups.append(target)
        elif verb in ("not-run", "exclude"):
            if not reason:
                raise ValueError(f"{path.name}:{number}: {target} is left out without a reason")
            (excluded_groups if verb == "not-run" else excluded_tests)[target] = reason
        else:
            raise ValueError(f"{path.name}:{number}: unknown verb {verb!r}")
    return Selection(groups, excluded_groups, excluded_tests)


def _scrubbed_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")}
    env["THANGLONG_DATA_DIR"] = str(data_dir)
    env["THANGLONG_EMBEDDED_MQTT_PORT"] = str(free_port())
    # The suite expects a broker holding only what its own cases create (022_01 lists every entity type).
    env["THANGLONG_LOAD_DEMO_ON_FIRST_START"] = "false"
    return env


def _thanglong(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "thanglong"), *args], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"thanglong {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result.stdout


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"thanglong serve exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=3) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"thanglong serve not healthy in {START_TIMEOUT_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


@contextmanager
def platform(data_dir: Path) -> Iterator[tuple[str, str]]:
    """Start `thanglong serve` on a fresh data dir; yield its base URL and an operator API key."""
    env = _scrubbed_env(data_dir)
    _thanglong(env, "db", "upgrade")
    key = json.loads(
        _thanglong(env, "users", "api-key", "create", "--name", "etsi", "--role", "operator", "--json")
    )["key"]
    # The compound document names the plain one, so the plain one is registered first.
    for url, file in SUITE_CONTEXTS.items():
        _thanglong(env, "operations", "contexts", "add", url, str(file))
    port = free_port()
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "thanglong"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log)
        yield base_url, key
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def robot_command(selection: Selection, base_url: str, output: Path, tests: list[str]) -> list[str]:
    """Return the robot command line for the selection against the platform at base_url."""
    api = f"{base_url}/ngsi-ld/v1"
    variables = {
        "url": api,
        "temporal_api_url": api,
        "ngsild_test_suite_context": next(reversed(SUITE_CONTEXTS)),
        "notification_server_host": "127.0.0.1",
        "notification_server_port": str(free_port()),
        "core_context": CORE_CONTEXT,
        # Mock context sources and context servers the suite starts: on this machine, never elsewhere.
        "context_source_host": "127.0.0.1",
        "context_source_port": str(free_port()),
        "context_server_host": "127.0.0.1",
        "context_server_port": str(free_port()),
    }
    command = [str(BIN / "robot"), "--outputdir", str(output), "--consolewidth", "120", "--report", "NONE"]
    command += [
        "--pythonpath",
        str(SUITE / "libraries"),
        "--pythonpath",
        str(SUITE / "libraries" / "robotframework-httpctrl" / "src"),
    ]
    for name, value in variables.items():
        command += ["--variable", f"{name}:{value}"]
    command += ["--listener", str(HERE / "etsi_auth.py")]
    command += ["--prerunmodifier", f"{HERE / 'etsi_exclude.py'}:{SELECTION}"]
    for test in tests:
        command += ["--test", test]
    command += [str(TP_ROOT / group) for group in selection.groups]
    return command


def parse_output(output_xml: Path) -> Outcome:
    """Read the pass, fail and skip status of every test case from robot's output.xml."""
    outcome = Outcome()
    root = ET.parse(output_xml).getroot()  # noqa: S314 - our own robot run's output
    for test in root.iter("test"):
        status = test.find("status")
        if status is None:
            continue
        name = test.get("name", "?")
        if status.get("status") == "PASS":
            outcome.passed.append(name)
        elif status.get("status") == "SKIP":
            outcome.skipped.append(name)
        else:
            outcome.failed[name] = (status.text or "").strip().splitlines()[0][:300] if status.text else ""
    return outcome


def run(output: Path, tests: list[str] | None = None) -> Outcome:
    """Start the platform, run robot on the selection, return the outcome."""
    selection = read_selection()
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="thanglong-etsi-") as tmp, platform(Path(tmp)) as (base_url, key):
        command = robot_command(selection, base_url, output, tests or [])
        with (output / "robot-console.txt").open("wb") as console:
            env = dict(
                os.environ, THANGLONG_ETSI_API_URL=f"{base_url}/ngsi-ld/v1", THANGLONG_ETSI_API_KEY=key
            )
            try:
                subprocess.run(
                    command,
                    cwd=SUITE,
                    env=env,
                    stdout=console,
                    stderr=subprocess.STDOUT,
                    check=False,
                    timeout=ROBOT_TIMEOUT_SECONDS,
                )
            except subprocess.TimeoutExpired as exc:
                raise RuntimeError(
                    f"robot did not finish in {ROBOT_TIMEOUT_SECONDS} s; see {output / 'robot-console.txt'}"
                ) from exc
            finally:
                (output / "server.log").write_bytes((Path(tmp) / "server.log").read_bytes())
    return parse_output(output / "output.xml")


def main() -> int:
    """Run the selection and print the counts and the failed cases."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("test-artifacts/etsi"))
    parser.add_argument("--test", action="append", default=[], help="only test cases matching this name")
    args = parser.parse_args()
    outcome = run(args.output.resolve(), args.test)
    for name, message in sorted(outcome.failed.items()):
        print(f"FAIL {name}: {message}")
    print(f"passed {len(outcome.passed)}, failed {len(outcome.failed)}, skipped {len(outcome.skipped)}")
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
