"""Browser-test fixtures: the real platform started as a user would, and Debian's Chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

from thanglong.core.testing.plugin import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
START_TIMEOUT_SECONDS = 90
DEMO_ADMIN = ("admin", "ThangLong@2025")


def overflow(page: Page) -> int:
    """Return how many pixels the page is wider than the screen (0 or less: it fits).

    Measured once the page's stylesheets and images have loaded: an element can be visible (parsed and
    laid out) before a slow stylesheet arrives, and the unstyled page is wider (a full check measured a
    30 px overflow that was gone a moment later).
    """
    page.wait_for_load_state("load")
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


# The elements whose right edge passes the screen's, outermost first, each as "tag#id.class: text".
_WIDEST = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && box.width > 0) {
      const classes = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (classes ? "." + classes.split(/\\s+/).join(".") : "");
      const text = (el.textContent || "").trim().slice(0, 80);
      out.push(name + " (right " + Math.round(box.right) + "): " + text);
      if (out.length >= 5) break;
    }
  }
  return out;
}"""


def too_wide(page: Page) -> list[str]:
    """Name the elements that stick out past the screen's right edge (to say why a page is too wide)."""
    return list(page.evaluate(_WIDEST))


@dataclass
class Server:
    """A `thanglong serve` process on embedded defaults (SQLite file, embedded MQTT broker)."""

    base_url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    embedded_mqtt_port: int = 0
    # The THANGLONG_ variables the server runs with: a console on its machine uses the same ones.
    settings: dict[str, str] = field(default_factory=dict)

    def console_env(self) -> dict[str, str]:
        """Return the environment of a console on the server's machine: its settings and no other."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")}
        env.update(self.settings)
        return env

    def log_tail(self, lines: int = 60) -> str:
        """Return the end of the server's output, for failure messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _wait_until_healthy(server: Server, timeout: float = START_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"`thanglong serve` exited with status {server.process.returncode} before it was healthy:\n"
                + server.log_tail()
            )
        try:
            with urllib.request.urlopen(server.base_url + "/healthz", timeout=3) as response:  # noqa: S310
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
        time.sleep(0.5)
    pytest.fail(f"GET /healthz not 200 within {timeout:.0f} s (last: {last}):\n" + server.log_tail())


def thanglong() -> str:
    """Return the `thanglong` command of the test's virtualenv."""
    return str(Path(sys.executable).parent / "thanglong")


def run_cli(server: Server, *args: str, timeout: float = 120) -> str:
    """Run one `thanglong` command against the server's data, as an operator at its console; return stdout."""
    done = subprocess.run(
        [thanglong(), *args],
        env=server.console_env(),
        cwd=server.data_dir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


@contextmanager
def running_server(
    data_dir: Path, extra_env: dict[str, str] | None = None, *, timeout: float = START_TIMEOUT_SECONDS
) -> Iterator[Server]:
    """Run `thanglong serve` on a data directory until the block ends; extra_env adds THANGLONG_ settings."""
    executable = Path(thanglong())
    if not executable.exists():
        pytest.fail(f"{executable} is missing: install the project into the virtualenv (pip install -e .)")
    port = free_port()
    mqtt_port = free_port()
    # Only the variables the test sets: no external database or broker leaks in from the environment.
    settings = {"THANGLONG_DATA_DIR": str(data_dir), "THANGLONG_EMBEDDED_MQTT_PORT": str(mqtt_port)}
    settings.update(extra_env or {})
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(executable), "serve", "--port", str(port)],
            env={k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")} | settings,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Server(f"http://127.0.0.1:{port}", data_dir, log_path, process, mqtt_port, settings)
    try:
        _wait_until_healthy(running, timeout)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Start the real platform in a subprocess; the demo data loads on this first start."""
    with running_server(tmp_path_factory.mktemp("e2e-data")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install chromium` "
            "(the e2e tests never run `playwright install`)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Browsing:
    """A fresh browser context on the server, recording requests and console errors."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on the server."""
        return self.base_url + path

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot under test-artifacts/e2e/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    @property
    def external_requests(self) -> list[str]:
        """Return the requests that left 127.0.0.1 (data: and blob: URLs never leave the page)."""
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(u).hostname not in LOCAL_HOSTS
        ]


@contextmanager
def open_browsing(
    browser: Browser, base_url: str, *, width: int = 1280, height: int = 900, locale: str = "vi-VN"
) -> Iterator[Browsing]:
    """Open a new context (own cookies) on a server, recording requests and console errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    state = Browsing(page=page, base_url=base_url)

    def on_request(request: Request) -> None:
        state.requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            state.console_errors.append(f"{message.text} @ {message.location.get('url', '')}")

    def stay_local(route: Route) -> None:
        # A government network may have no internet: anything that tries to leave is refused and recorded.
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            state.blocked.append(route.request.url)
            route.abort()

    page.on("request", on_request)
    page.on("console", on_console)
    context.route("**/*", stay_local)
    try:
        yield state
    finally:
        context.close()


@pytest.fixture
def browsing(browser: Browser, server: Server) -> Iterator[Browsing]:
    """Open a new context (own cookies) with a desktop viewport and Vietnamese locale."""
    with open_browsing(browser, server.base_url) as state:
        yield state
