"""Browser tests: the real site (pytest-django's ``live_server``) driven by Playwright in Debian's Chromium.

Each test runs twice, on a desktop and on a phone-sized viewport. Playwright's sync API runs an event
loop in the test thread, so Django's guard against database queries inside one is lifted here.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install the Debian package chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(DEVICES))
def device(request):
    return request.param


def new_context(browser, live_server, device):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DEVICES[device])
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, device, live_server):
    context = new_context(browser, live_server, device)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(device)``: a page in a browser context of its own (another user, another device)."""
    contexts = []

    def open_(device):
        contexts.append(new_context(browser, live_server, device))
        return contexts[-1].new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def demo(transactional_db):
    """The demo city, small. DEBUG is off under pytest, hence --force."""
    call_command("seed_demo", orgs=60, members=600, force=True, stdout=StringIO())


@pytest.fixture
def screenshot(page, device, request):
    """Save the page (or another page ``on`` a device ``seen_on``) to test-artifacts/<name>-<device>.png."""

    def take(name, on=None, seen_on=None):
        ARTIFACTS.mkdir(exist_ok=True)
        (on or page).screenshot(path=ARTIFACTS / f"{name}-{seen_on or device}.png", full_page=True)

    return take
