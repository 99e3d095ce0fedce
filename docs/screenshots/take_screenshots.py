"""Retake the screenshots in this folder from a running `make run` (demo company).

    .venv/bin/python docs/screenshots/take_screenshots.py [http://demo.localhost:8000]

Needs the system Chromium (/usr/bin/chromium) and Playwright (requirements.txt)."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
ARGS = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * 127.0.0.1"]
SHOTS = [  # (file, path, viewport width, full page)
    ("dashboard.png", "/", 1280, False),
    ("kpi-page.png", "/kpis/customer_churn_rate/", 1280, True),
    ("dashboard-phone.png", "/", 390, False),
    ("goal.png", "/goals/1/", 1280, False),  # the demo's first goal: churn
    ("cohorts.png", "/cohorts/", 1280, False),
]


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, path, width, full in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 1000 if width > 500 else 844})
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "owner@demo.example")
            page.fill("input[name=password]", "demo-kpihub-2026")
            page.click("main button[type=submit]")
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)  # chart animations
            page.screenshot(path=HERE / name, full_page=full)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://demo.localhost:8000")
