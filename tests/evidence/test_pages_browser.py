"""In chromium: the enterprise uploads two files at once and watches the progress bar, the
city rejects one with a reason, the enterprise sees the reason; no console errors (a CSP
violation is one); screenshots in test-results/screenshots/<backend>/.

The app is served for real (werkzeug in a thread) on a fresh migrated database holding the
test world and one approved project. The upload is throttled through the DevTools protocol
so that the bar is seen moving, not only its end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import Database
from dispatch.evidence import samples
from models import EvidenceFile, EvidenceStatus, PlanStatus
from tests.conftest import TEST_SECRET, migrate
from tests.factories import PASSWORD, build_world
from tests.projects.helpers import make_project

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# About 1.5 MB in all, sent at 512 KB/s: the bar is visible for a few seconds.
BIG_PDF = samples.pdf(["Implementation plan"]).replace(
    b"%%EOF", b"%" + b"0" * (1400 * 1024) + b"\n%%EOF"
)
PHOTO = samples.jpeg(640, 480)


@pytest.fixture
def served(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int, Session]]:
    """Base URL, the project's id and a session to read the results with."""
    url = new_database_url()
    engine = migrate(url)
    settings = Settings(
        env="development",
        instance_path=tmp_path_factory.mktemp("instance"),
        database_url=url,
        secret_key=TEST_SECRET,
        ratelimit_enabled=False,
    )
    app = create_app(settings, database=Database(engine))
    session = Session(engine, expire_on_commit=False)
    with app.app_context():
        world = build_world(session)
        project = make_project(session, world, status=PlanStatus.APPROVED)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", project.id, session
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        session.close()
        engine.dispose()


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """One signed-in browser context that collects console and page errors."""

    def __init__(self, browser: Browser, base: str, username: str) -> None:
        self.context: BrowserContext = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 900}
        )
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{self.page.url}: {message.text}")

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]:has-text('登录')")

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


def test_upload_with_progress_reject_and_the_uploader_sees_why(
    served: tuple[str, int, Session], browser: Browser, backend: str
) -> None:
    base, project_id, db = served
    shots = SHOTS / backend
    shots.mkdir(parents=True, exist_ok=True)
    checklist = f"{base}/evidence/projects/{project_id}"

    owner = Visit(browser, base, "ent_a")
    page = owner.page
    page.goto(checklist)
    cdp = owner.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 512 * 1024},
    )
    form = page.locator("#item-G03 form[data-testid=upload-form]")
    form.locator("input[type=file]").set_input_files(
        [
            {"name": "实施方案.pdf", "mimeType": "application/pdf", "buffer": BIG_PDF},
            {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": PHOTO},
        ]
    )
    form.locator("button[type=submit]").click()
    bar = form.locator("[data-upload-progress]")
    bar.wait_for(state="visible")
    page.wait_for_function(
        "el => Number(el.getAttribute('aria-valuenow')) > 0", arg=bar.element_handle()
    )
    page.screenshot(path=str(shots / "evidence-upload-progress.png"), full_page=True)
    page.wait_for_selector("text=已上传 2 个文件")
    page.screenshot(path=str(shots / "evidence-uploaded.png"), full_page=True)
    db.rollback()  # a new transaction sees what the server committed
    rows = list(db.scalars(select(EvidenceFile).where(EvidenceFile.project_id == project_id)))
    assert sorted(r.file.original_name for r in rows) == ["实施方案.pdf", "现场照片.jpg"]
    assert {r.file.size for r in rows} == {len(BIG_PDF), len(PHOTO)}
    photo = next(r for r in rows if r.file.original_name == "现场照片.jpg")

    city = Visit(browser, base, "city_user")
    city.page.goto(checklist)
    row = city.page.locator(f"#file-{photo.id}")
    row.locator("summary:has-text('审核')").click()
    row.locator("select[name=decision]").select_option("reject")
    row.locator("textarea[name=reason]").fill("照片不清晰，请重新拍摄")
    with city.page.expect_navigation():
        row.locator("button:has-text('保存审核结论')").click()
    city.page.wait_for_selector("text=已审核：不合格")
    city.page.screenshot(path=str(shots / "evidence-city-rejected.png"), full_page=True)
    # The other file still waits in the city's queue.
    city.page.goto(f"{base}/evidence/")
    queue = city.page.get_by_test_id("evidence-queue").inner_text()
    assert "实施方案.pdf" in queue and "现场照片.jpg" not in queue
    city.page.screenshot(path=str(shots / "evidence-city-queue.png"), full_page=True)
    city.close()
    db.rollback()  # a new transaction sees what the server committed
    assert db.get(EvidenceFile, photo.id).status == EvidenceStatus.REJECTED  # type: ignore[union-attr]

    page.goto(checklist)
    reason = page.locator(f"#file-{photo.id} [data-testid=review-reason]")
    assert reason.inner_text().strip() == "不合格原因：照片不清晰，请重新拍摄"
    page.screenshot(path=str(shots / "evidence-uploader-sees-reason.png"), full_page=True)
    page.goto(f"{base}/evidence/")
    assert "照片不清晰" in page.get_by_test_id("evidence-rejected").inner_text()
    owner.close()
