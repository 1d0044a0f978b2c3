"""Fixtures for the panel tests: the built panels, a loopback HTTP server, Debian's Chromium
driven by Playwright, a host script playing Designer's side of react-comms, and the shapes in
which a saved configuration reaches the Python tool."""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import xmltodict

from designer_host.jsonnet import configuration_to_xml

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
ARTIFACTS = ROOT / "test-artifacts" / "ui"
HOST_JS = (Path(__file__).parent / "designer_host.js").read_text(encoding="utf-8")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
TOOL_ID = 7
# The fields Server Authenticate outputs (ayx_plugins/tools/engine.py), as the other tools see them.
AUTH_FIELDS = [("ServerUrl", "V_WString"), ("ApiBase", "V_WString"), ("AuthType", "V_WString"),
               ("AccessToken", "V_WString"), ("TokenType", "V_WString"),
               ("TokenExpires", "DateTime")]


def _load_build() -> Any:
    spec = importlib.util.spec_from_file_location("ui_build", UI / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ui_dist() -> Path:
    """The panels, freshly built by ui/build.py (npm ci first when node_modules is stale)."""
    return Path(_load_build().build())


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def panel_server(ui_dist: Path) -> Iterator[str]:
    """ui/dist served on 127.0.0.1 (a free port) for the session."""
    handler = functools.partial(_QuietHandler, directory=str(ui_dist))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (never a Playwright browser download), for tests/ui only:
    Playwright's sync API keeps an event loop running in this thread while it is open, which
    tools run in process by other folders' tests must not meet: one browser per module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./dev test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _meta(fields: Sequence[tuple[str, str]]) -> Any:
    return {"MetaInfo": {"@connection": "Output", "RecordInfo": {"Field": [
        {"@name": n, "@type": t, "@size": "256", "@source": "", "@description": ""}
        for n, t in fields]}}}


def meta_info(fields: Sequence[tuple[str, str]],
              connection: Sequence[tuple[str, str]] | None = None) -> list[Any]:
    """Designer's MetaInfo, one entry per input anchor in the tool's order (Input, then the
    optional Connection anchor); an unconnected anchor is null."""
    anchors: list[Any] = [_meta(fields) if fields else None]
    if connection is not None:
        anchors.append(_meta(connection))
    while anchors and anchors[-1] is None:
        anchors.pop()
    return anchors


class Panel:
    """One tool's panel open in a page whose window plays Designer."""

    def __init__(self, page: Any, base: str, tool: str) -> None:
        self.page, self.base, self.tool = page, base, tool
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self, config: dict[str, Any] | None = None,
             fields: Sequence[tuple[str, str]] = (),
             connection: Sequence[tuple[str, str]] | None = None) -> Panel:
        """Load index.html, then hand it a configuration and the incoming metadata (the data
        fields on Input, and what Server Authenticate sends to the Connection anchor)."""
        self.page.goto(f"{self.base}/{self.tool}/index.html")
        # The panel writes its normalized configuration once it has rendered and subscribed.
        self.page.wait_for_function("() => window.Alteryx && window.Alteryx.model")
        payload = {"Configuration": {"Configuration": dict(config or {})},
                   "MetaInfo": meta_info(fields, connection), "ToolName": self.tool,
                   "ToolId": TOOL_ID}
        self.page.evaluate("cfg => window.__host.open(cfg)", payload)
        self.page.wait_for_function(
            f"() => window.__host.ready && window.Alteryx.model.ToolId === {TOOL_ID}")
        self.page.get_by_role("heading", level=1).wait_for()
        return self

    def save(self) -> dict[str, Any]:
        """What Designer receives from Gui.GetConfiguration: the tool's configuration."""
        # Let React flush pending effects (a frame and a task) before Designer asks.
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        self.page.evaluate("() => window.__host.save()")
        self.page.wait_for_function("() => window.__host.saved !== null")
        saved = self.page.evaluate("() => window.__host.saved")
        assert self.errors == [], self.errors
        return saved["Configuration"]["Configuration"]  # type: ignore[no-any-return]

    def host(self, key: str) -> Any:
        """A counter or record of the host page (encrypts, decrypts, events)."""
        return self.page.evaluate(f"() => window.__host.{key}")

    def problems(self) -> list[str]:
        """The problems the panel lists at its top."""
        box = self.page.get_by_role("status", name="Problems")
        return [t.strip() for t in box.locator("li").all_inner_texts()]

    def select(self, label: str, value: str) -> None:
        """Pick an option of a drop-down by its value."""
        self.page.get_by_label(label, exact=True).select_option(value)

    def fill(self, label: str, text: str) -> None:
        """Replace the text of a text box (one input event, as a paste does)."""
        self.page.get_by_label(label, exact=True).fill(text)

    def expand(self, title: str) -> None:
        """Open a closed section (Advanced, More options) by its title."""
        button = self.page.get_by_role("button", name=title)
        if button.get_attribute("aria-expanded") != "true":
            button.click()

    def pick_endpoint(self, search: str, summary: str) -> None:
        """Search the endpoint picker and choose the operation by its summary sentence."""
        box = self.page.locator("#endpoint")
        box.click()
        box.fill(search)
        listbox = self.page.get_by_role("listbox")
        listbox.get_by_role("option").filter(has_text=summary).first.click()

    def layout(self) -> dict[str, Any]:
        """Height of the panel, and whether anything sticks out to the right."""
        return self.page.evaluate("""() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('#app *')].filter((el) => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && r.right > width + 0.5;
            }).map((el) => el.tagName + '.' + el.className).slice(0, 5);
            return {
                height: Math.ceil(document.getElementById('app').getBoundingClientRect().height),
                scrollWidth: document.documentElement.scrollWidth, width, wide,
                errors: document.querySelectorAll(
                    '#app .Mui-error, #app .MuiTypography-colorError').length,
            };
        }""")

    def check(self, label: str, on: bool = True) -> None:
        """Tick or untick a checkbox or choose a radio button."""
        control = self.page.get_by_label(label, exact=True)
        if on:
            control.check()
        else:
            control.uncheck()

    def screenshot(self, name: str | None = None) -> Path:
        """A full-page PNG under test-artifacts/ui/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name or self.tool}.png"
        self.page.mouse.move(0, 0)  # no hover or focus styling in the picture
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_panel(browser: Any, panel_server: str) -> Iterator[Any]:
    """`open_panel(tool)` -> a Panel in a fresh page (closed after the test)."""
    contexts: list[Any] = []

    def _open(tool: str, width: int = 340) -> Panel:
        # 340 px: Designer's configuration pane as users leave it (not the docs' 600 px).
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_init_script(HOST_JS)
        contexts.append(context)
        return Panel(context.new_page(), panel_server, tool)

    yield _open
    for context in contexts:
        context.close()


def designer_xml(saved: dict[str, Any]) -> str:
    """What the tool receives: the panel's saved model through Designer's Json.NET step."""
    return configuration_to_xml(saved)


def as_tool_config(saved: dict[str, Any]) -> dict[str, Any]:
    """`provider.tool_config` after that XML: the SDK's own
    `xmltodict.parse(..., strip_whitespace=False)["Configuration"]`."""
    return dict(xmltodict.parse(designer_xml(saved), strip_whitespace=False)["Configuration"] or {})


# The shapes a saved configuration is checked in: the model as the panel sent it, and what the
# tool gets after Json.NET and the SDK's XML parser.
SHAPES = {"json": lambda c: dict(c), "designer": as_tool_config}
