"""On a phone (Chromium at 390 px) every section is one tap on a visible Menu button away:
no swiping a row of links sideways to find Notifications or Team. The button is a real
button (aria-expanded, keyboard, Escape); on a desktop the links are simply there."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Every section a member of staff uses, and where its link leads.
SECTIONS = [
    ("Dashboard", r"/$"), ("Data", r"/data/customers/$"), ("Imports", r"/imports/$"),
    ("Goals", r"/goals/$"), ("Surveys", r"/surveys/$"), ("Notifications", r"/notifications/$"),
    ("Team", r"/team/$"), ("Settings", r"/settings/"), ("Audit log", r"/audit/$"),
    ("Your account", r"/accounts/security/$"),
]


def signed_in(chromium, acme, live_site, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    base = f"http://{acme.host}:{live_site}"
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", acme.owner_email)
    page.fill("input[name=password]", acme.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page, problems


def test_every_section_is_reached_from_the_menu_button_on_a_phone(live_site, chromium, acme, committed_db):
    context, page, problems = signed_in(chromium, acme, live_site, PHONE)
    menu = page.get_by_role("button", name=re.compile("^Menu"))
    nav = page.locator("#site-nav")
    for name, path in SECTIONS:
        assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
        assert not nav.is_visible()  # folded: the page starts with its content
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        link = nav.get_by_role("link", name=re.compile(f"^{name}"))
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # on screen, no swiping
        assert box["height"] >= 40  # a finger's target
        link.click()
        page.wait_for_url(re.compile(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        menu.click()
        assert nav.get_by_role("link", name=re.compile(f"^{name}")).get_attribute("aria-current") == "page"
        menu.click()
    assert problems == []
    context.close()


def test_the_menu_works_from_the_keyboard(live_site, chromium, acme, committed_db):
    context, page, _ = signed_in(chromium, acme, live_site, PHONE)
    menu = page.get_by_role("button", name=re.compile("^Menu"))
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")  # into the menu, first link first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Dashboard"
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.dataset.menuButton") == ""  # focus back on the button
    page.keyboard.press("Space")
    assert page.locator("#site-nav").is_visible()
    context.close()


def test_on_a_desktop_the_links_are_simply_there(live_site, chromium, acme, committed_db):
    context, page, _ = signed_in(chromium, acme, live_site, DESKTOP)
    assert not page.get_by_role("button", name=re.compile("^Menu")).is_visible()
    nav = page.locator("#site-nav")
    for name, _path in SECTIONS[:-1]:  # the account page's link is the e-mail in the header here
        assert nav.get_by_role("link", name=re.compile(f"^{name}")).is_visible()
    assert page.get_by_role("link", name=acme.owner_email).is_visible()
    context.close()


def test_without_javascript_the_nav_stays_open_on_a_phone(live_site, chromium, acme, committed_db):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    base = f"http://{acme.host}:{live_site}"
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", acme.owner_email)
    page.fill("input[name=password]", acme.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert not page.get_by_role("button", name=re.compile("^Menu")).is_visible()
    for name in ("Notifications", "Team", "Audit log"):
        link = page.locator("#site-nav").get_by_role("link", name=re.compile(f"^{name}"))
        box = link.bounding_box()
        assert link.is_visible() and box["x"] + box["width"] <= PHONE["width"]
    context.close()
