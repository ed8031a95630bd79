"""The web page in a real browser: Debian's chromium driven by Playwright, against a real
`reportgen serve` on loopback. Upload the default workbook and a broken one, see the
findings, be refused the final build, build without the broken one, download the PDF and
read it; a screenshot is left in tests/artifacts/ to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import ARTIFACTS, DEFAULT_INPUT, ROOT, goal_row, pdf_text, write_workbook
from .web_server import running_server


def chromium() -> str | None:
    """Debian's chromium: $REPORTGEN_CHROMIUM, /usr/bin/chromium, or the one .ci/run unpacks
    (beside the system, as it needs HarfBuzz's subsetter, which the suite runs without)."""
    for candidate in (os.environ.get("REPORTGEN_CHROMIUM"), "/usr/bin/chromium",
                      str(ROOT / ".ci" / "chromium" / "chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium (Debian: apt-get install chromium, "
                       "or .ci/run)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DEFAULT = sorted(DEFAULT_INPUT.glob("*.xlsx"))[0]


def test_upload_see_findings_build_and_download(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    expect = playwright.expect
    broken = write_workbook(tmp_path / "center-x.xlsx",
                            [goal_row("Et mål med en ukendt status", result="blå",
                                      centre="CX/XX")])
    with running_server() as (base, _), playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                         headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(base + "/")
            assert page.title().startswith("Strategiplan-opfølgning")

            page.set_input_files("#files", [str(DEFAULT), str(broken)])
            page.wait_for_selector("#findings tbody tr.fejl")
            rows = page.inner_text("#findings tbody")
            assert "RG201" in rows and "center-x.xlsx › Mål › F2" in rows
            assert "CPU/BGE" in page.inner_text("#centres tbody")
            page.select_option("#filter-severity", "bemærkning")
            assert "RG201" not in page.inner_text("#findings tbody")
            page.select_option("#filter-severity", "")

            page.click("#build")
            expect(page.locator("#build-status")).to_contain_text("RG709")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-findings.png"), full_page=True)

            page.set_input_files("#files", [str(DEFAULT)])
            expect(page.locator("#summary")).to_contain_text("7 mål læst; 0 fejl")
            # the details as the workbook gives them, one changed before the build
            expect(page.locator("#detail-title")).to_have_value("Tema 1: Vision og Bosætning.")
            page.fill("#detail-follow_up", "Opfølgning januar 2019")
            page.click("#build")
            page.wait_for_selector("#downloads a", timeout=60_000)
            page.wait_for_selector("#preview-img", state="visible")
            expect(page.locator("#preview-img")).to_have_js_property("complete", True)
            assert page.locator("#preview-img").evaluate("img => img.naturalWidth") > 0
            links = page.locator("#downloads a").all_inner_texts()
            assert links[0] == f"{DEFAULT.stem}.pdf" and f"{DEFAULT.stem}-fund.xlsx" in links

            page.screenshot(path=str(ARTIFACTS / "web-page.png"), full_page=True)
            with page.expect_download() as download:
                page.click(f"#downloads a:text('{DEFAULT.stem}.pdf')")
            data = Path(download.value.path()).read_bytes()
            text = pdf_text(data)
            assert "Tema 1: Vision og Bosætning" in text and "CPU/BGE" in text
            assert "Opfølgning januar 2019" in text and "Opfølgning august 2018" not in text
            # the refused final build is its job's state, not a request that failed
            assert errors == []
        finally:
            browser.close()
