"""The accessibility check the browser tests rely on finds what it promises to find."""

from __future__ import annotations

import pytest

from groundswell.core.tests.axe import AxeWatch, axe_check, axe_violations

pytestmark = pytest.mark.browser

CLEAN = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><p>Read <a href="/about/">about us</a> first.</p></main></body></html>"""

# The faults issue 14 found on the staff pages, one of each.
FAULTY = """<!doctype html><html lang="en"><head><title>Faulty</title>
<style>body { color: #5f6b7e; } a { color: #0d6b5c; text-decoration: none; }</style></head>
<body><main><h1>Faulty</h1>
<p>Read the <a href="/about/">page's overview</a> before you start editing this page today.</p>
<table><thead><tr><th>Goal</th><th></th></tr></thead><tbody><tr><td>A</td><td>B</td></tr></tbody></table>
<div style="height: 3rem; overflow-y: auto"><p>1</p><p>2</p><p>3</p><p>4</p><p>5</p><p>6</p></div>
<label for="zip">ZIP</label><input id="zip" aria-describedby="zip_helptext">
</main></body></html>"""


def _rules(violations: list[dict]) -> set[str]:
    return {violation["id"] for violation in violations}


def test_a_clean_page_passes(page):
    page.set_content(CLEAN)
    assert axe_violations(page) == []
    axe_check(page)


def test_each_fault_the_staff_pages_had_is_found_and_named_with_its_element(page):
    page.set_content(FAULTY)
    violations = axe_violations(page)
    assert _rules(violations) >= {
        "link-in-text-block",
        "empty-table-header",
        "scrollable-region-focusable",
        "aria-reference-missing",
    }
    with pytest.raises(AssertionError) as failure:
        axe_check(page, where="the faulty page")
    report = str(failure.value)
    assert "the faulty page" in report
    assert "link-in-text-block (serious)" in report
    assert "zip_helptext, which no element on the page carries" in report


def test_a_watch_reports_each_fault_once_however_often_the_page_is_checked(page):
    page.set_content(FAULTY)
    watch = AxeWatch()
    watch.check(page, where="first look")
    watch.check(page, where="second look")
    assert watch.pages_checked == 2
    assert len(watch.findings) == 1
    with pytest.raises(AssertionError, match="on 1 of the 2 page states checked"):
        watch.assert_clean()
