"""The check-in page in a real browser: Debian's chromium, headless, phone-sized.

One run with JavaScript disabled (the page must work as plain forms). Skipped outside CI
when chromium or its driver is missing; in CI (``CI`` set) that is a failure.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from checkin_helpers import AT, EXCHANGE, Site

from pc_calendar.exchanges.store import ExchangeStore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PHONE = (390, 844)


def _need_browser() -> None:
    missing = [n for n, p in (("chromium", CHROMIUM), ("chromedriver", DRIVER)) if not p]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        message = f"{', '.join(missing)} missing: run tests/tools/install-test-tools.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=["javascript-off", "javascript-on"])
def browser(request, tmp_path: Path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    # A phone's viewport. Touch emulation is off: with JavaScript disabled, chromium
    # 156 never delivers WebDriver's click to a touch-emulated page.
    metrics = {"width": PHONE[0], "height": PHONE[1], "pixelRatio": 3.0, "touch": False}
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    if request.param == "javascript-off":
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver, request.param
    finally:
        driver.quit()


#: chromedriver's words for "that node's document is being replaced": a navigation is
#: under way, so the question is asked again rather than failing (it says so in an
#: "unknown error", not as a stale element, when asked at the moment the new page
#: replaces the old one)
GONE = "does not belong to the document"
NAVIGATING = (
    GONE,
    "Execution context was destroyed",
    "no such execution context",
)


def _navigating(exc: Exception) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException

    return isinstance(exc, StaleElementReferenceException) or any(
        words in str(exc) for words in NAVIGATING
    )


def _showing_receipt(driver, receipt: int) -> bool:
    """Whether the page is the one a press redirects to (``?done=receipt``), fully
    loaded and showing that receipt. Asked of the document, never of a node found
    earlier, so the old page going away mid-question is just "not yet"."""
    from selenium.common.exceptions import WebDriverException

    try:
        state, query, status = driver.execute_script(
            "const s = document.querySelector('[role=status]');"
            "return [document.readyState, location.search, s ? s.textContent : ''];"
        )  # WebDriver's own scripts run even when pages may not
    except WebDriverException as exc:
        if _navigating(exc):
            return False
        raise
    return state == "complete" and query == f"?done={receipt}" and f"#{receipt}:" in status


def _press(driver, css: str, receipt: int) -> None:
    """Click the button ``css`` finds and wait for the page the server redirects to,
    the one showing ``receipt`` (the press's record number).

    It waits for that page by what it shows, not for the old page to go stale: asking
    the old page's nodes while the new one replaces it makes chromedriver answer with
    an "unknown error" (not a stale element) now and then on a loaded machine. The
    button is looked up afresh on each try for the same reason: a node found a moment
    ago can be reported gone before anything was sent. A click that did reach the
    server would show as a second record, which the tests' exact logs refuse.
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    for attempt in range(3):
        button = driver.find_element(By.CSS_SELECTOR, css)
        try:
            # chromium's phone emulation misplaces a click on a button scrolled out of
            # view by the page's #fragment; scroll it to the middle first, as a thumb would.
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
            button.click()
        except WebDriverException as exc:  # retried only where nothing can have been sent
            gone = isinstance(exc, StaleElementReferenceException) or GONE in str(exc)
            if attempt == 2 or not gone:
                raise
            continue
        break
    WebDriverWait(driver, 60).until(
        lambda d: _showing_receipt(d, receipt), f"no page showing receipt #{receipt}"
    )


def _log(data: Path) -> list:
    path = data / "exchanges" / "rivera-chen.sqlite3"
    with ExchangeStore.open(path, "rivera-chen", create=False) as store:
        assert store.verify().ok
        return store.records()


def test_parents_report_and_answer_on_a_phone(browser, site: Site, data, clock, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, mode = browser
    driver.get(site.url + site.path("sam"))
    card = driver.find_element(By.ID, f"x-{EXCHANGE}")
    # the page fits the phone: nothing wider than the viewport, buttons big enough to tap
    inner, width = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )  # WebDriver's own scripts run even when pages may not
    assert inner == PHONE[0] and width <= PHONE[0]
    here = card.find_element(By.CSS_SELECTOR, "button[value=here]")
    assert here.size["height"] >= 44 and here.size["width"] >= 300
    card.find_element(By.NAME, "note").send_keys("stuck behind a bus" + Keys.ENTER)
    assert _log(data) == []  # Enter in a field submits nothing (no button pressed)
    card.find_element(By.NAME, "minutes").send_keys("10")
    _press(driver, f"#x-{EXCHANGE} button[value=late]", receipt=1)
    assert "Recorded. Receipt #1" in driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    [late] = _log(data)
    assert (late.reported_by, late.status, late.minutes_late) == ("sam", "late", 10)
    assert late.hash in driver.page_source
    inner, width = driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert width <= inner  # a log with receipts fits too
    driver.save_screenshot(str(tmp_path / f"sam-{mode}.png"))

    clock[0] = AT + timedelta(minutes=12)
    driver.get(site.url + site.path("alex"))
    assert "stuck behind a bus" in driver.page_source  # the other side is heard
    _press(driver, "form.answer button[value=confirm]", receipt=2)
    _press(driver, f"#x-{EXCHANGE} button[value=handed]", receipt=3)
    log = _log(data)
    assert [(r.reported_by, r.kind, r.status) for r in log] == [
        ("sam", "outcome", "late"),
        ("alex", "confirm", "late"),
        ("alex", "outcome", "on-time"),
    ]
    text = driver.find_element(By.TAG_NAME, "main").text
    assert "confirmed record #1" in text and "receipt #3" in text
    driver.save_screenshot(str(tmp_path / f"alex-{mode}.png"))
    shots = os.environ.get("PC_CALENDAR_SCREENSHOTS")
    if shots:
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(shots) / png.name)
