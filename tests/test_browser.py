"""The app in a real browser (Playwright driving Debian's Chromium), as a delegate uses it:
ask, open a citation, find coverage and download it, open a cell of the action-line matrix
and export it, upload a document and ask about it.

Each test saves a screenshot to ``test-artifacts/``. Needs ``/usr/bin/chromium``
(``apt-get install chromium``); without it the tests are skipped, except in CI, where
they fail.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.coverage import DEFAULT_COVERAGE_THRESHOLD
from assistant.render.coverage import COVERAGE_CSV_COLUMNS

pytestmark = [pytest.mark.slow, pytest.mark.corpus]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FILES = ("A_RES_80_173.pdf", "A_RES_79_277.pdf", "A_80_L.41.pdf", "ITU_input_WSIS20_zero_draft.md")
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def assistant(build_assistant):
    return build_assistant("browser", FILES)


@pytest.fixture(scope="module")
def url(assistant) -> Iterator[str]:
    from assistant.app.ui import create_app
    from eval.bench.app import serve_in_thread

    with serve_in_thread(create_app(assistant)) as address:
        yield address


@pytest.fixture(scope="module")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, url: str):
    """One page for the module, so the tests follow each other as one session would; every
    request off this machine is refused."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)

    def local_only(route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if host in {"127.0.0.1", "localhost"} or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("heading", name="WSIS Assistant").wait_for()
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    assert not dialogs, f"a script ran in the page: {dialogs}"
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _ask(page, question: str) -> None:
    page.get_by_role("tab", name="Ask").click()
    box = page.get_by_label("Question")
    box.fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()


def test_ask_shows_an_answer_with_citation_chips(page) -> None:
    _ask(page, "What does paragraph 45 of A/RES/80/173 say?")
    answer = page.locator("#wsis-answer blockquote")
    answer.first.wait_for()
    assert "electronic waste" in answer.first.inner_text()
    assert "(A/RES/80/173, para. 45)" in page.locator("#wsis-answer").inner_text()
    chip = page.locator("#wsis-chips label", has_text="A/RES/80/173 para. 45")
    chip.wait_for()
    _shot(page, "browser-ask")


def test_clicking_a_citation_shows_the_paragraph_in_context(page, url: str) -> None:
    page.locator("#wsis-chips label", has_text="A/RES/80/173 para. 45").click()
    mark = page.locator("#wsis-context mark")
    mark.first.wait_for()
    assert mark.first.inner_text().startswith("We are further concerned about the volume")
    context = page.locator("#wsis-context")
    text = context.inner_text()
    assert "Environmental impacts" in text and "Page 8" in text
    assert "para. 44" in text and "para. 46" in text
    link = context.get_by_role("link", name="Open the source PDF at page 8")
    assert link.get_attribute("href") == "/document/A_RES_80_173#page=8"
    response = page.request.get(url.rstrip("/") + "/document/A_RES_80_173")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    _shot(page, "browser-context")


def test_coverage_search_and_csv_download(page, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Where is it covered?").click()
    page.get_by_label("Topic").fill("gender digital divide")
    page.get_by_role("button", name="Find coverage").click()
    listing = page.locator("#wsis-coverage h3")
    listing.first.wait_for()
    summary = page.locator("#wsis-coverage p").first.inner_text()
    assert "are about “gender digital divide”" in summary
    assert f"relevance of at least {DEFAULT_COVERAGE_THRESHOLD:.2f}" in summary
    assert "A/RES/80/173" in page.locator("#wsis-coverage").inner_text()
    assert page.locator("#wsis-coverage mark").count() > 0, "each paragraph's reason is marked"
    with page.expect_download() as caught:
        page.locator("#wsis-coverage-csv").click()
    saved = tmp_path / "coverage.csv"
    caught.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == list(COVERAGE_CSV_COLUMNS)
    assert any(r["symbol"] == "A/RES/80/173" for r in rows)
    _shot(page, "browser-coverage")


def test_the_action_line_matrix_opens_a_cell_and_exports(page, assistant, tmp_path) -> None:
    from assistant.app import views
    from assistant.render import coverage as shown

    page.get_by_role("tab", name="Action lines").click()
    page.get_by_role("button", name="Count the paragraphs").click()
    image = page.locator("#wsis-matrix img")
    image.wait_for(timeout=5 * TIMEOUT_MS)
    page.wait_for_function(
        "() => { const i = document.querySelector('#wsis-matrix img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    view = views.matrix_view(assistant)
    row = view.cells["documents"].index("A_RES_80_173")
    column = view.cells["themes"].index("C5")
    x, y = shown.HeatmapCells(**view.cells["cells"]).centre(row, column)
    box = image.evaluate(
        "i => { const r = i.getBoundingClientRect();"
        " return [r.width, r.height, i.naturalWidth, i.naturalHeight]; }"
    )
    width, height, natural_width, natural_height = box
    scale = min(width / natural_width, height / natural_height, 1)
    image.click(
        position={
            "x": (width - natural_width * scale) / 2 + x * scale,
            "y": (height - natural_height * scale) / 2 + y * scale,
        }
    )
    cell = page.locator("#wsis-matrix-cell")
    cell.get_by_text("C5 Confidence and security in A/RES/80/173").wait_for()
    shown = cell.locator(".wsis-para").count()
    assert shown == view.data["counts"][row][column] > 0
    _shot(page, "browser-matrix")
    for button, suffix in (("#wsis-matrix-csv", ".csv"), ("#wsis-matrix-png", ".png")):
        with page.expect_download() as caught:
            page.locator(button).click()
        saved = tmp_path / f"matrix{suffix}"
        caught.value.save_as(saved)
        if suffix == ".csv":
            header = saved.read_text(encoding="utf-8").splitlines()[0]
            assert header.startswith("document,C1 ")
        else:
            assert saved.read_bytes().startswith(b"\x89PNG")


def test_upload_a_document_then_find_it_by_asking(page, tmp_path: Path) -> None:
    sentence = "The harbour council of Vexmoor renews its kelp-farming charter every leap year."
    source = tmp_path / "vexmoor_charter.md"
    source.write_text(
        f"# Vexmoor harbour charter\n\n1. {sentence}\n\n"
        "2. The council publishes the charter in the town square.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Documents").click()
    page.get_by_text("Add a document").click()
    page.locator("#wsis-upload-file input[type=file]").set_input_files(str(source))
    page.locator("#wsis-upload-file", has_text="vexmoor_charter").wait_for()
    page.get_by_role("button", name="Add to the index").click()
    status = page.locator("#wsis-upload-status", has_text="Added")
    status.wait_for()
    assert "vexmoor_charter.md" in status.inner_text()
    page.locator("#wsis-documents", has_text="Vexmoor harbour charter").wait_for()
    _shot(page, "browser-upload")

    _ask(page, "How often does the harbour council of Vexmoor renew its kelp-farming charter?")
    answer = page.locator("#wsis-answer blockquote", has_text="kelp-farming charter")
    answer.wait_for()
    assert sentence in answer.inner_text()
    _shot(page, "browser-upload-answer")
