"""The import's column mapping in a real headless Chromium, on a laptop and on a phone: every
choice is readable (no label cut off, nothing wider than the screen), a VAN ID column is mapped
to the VAN ID, and the result page leads to the people the file brought in."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from groundswell.core.tests.browser import PASSWORD, SHOTS
from groundswell.people.models import ExternalId

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VAN_FILE = (
    "VANID,FirstName,LastName,Address,City,State,Zip5,CellPhone,PreferredEmail,Volunteer Notes\n"
    "90001,Ada,Byrne,12 Elm St,Philadelphia,PA,19104,,,Wants to canvass on weekends\n"
    "90002,Cal,Diaz,,,PA,,,cal@example.org,\n"
    "90003,Eve,Fox,,,PA,19103,215-555-0134,,\n"
)

# How much wider than its box each select's chosen label and its longest option are, in
# pixels, measured with the select's own font: 0 everywhere means nothing is cut off.
_OVERFLOW = """
() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll(".mapping-list select")).map((select) => {
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    const width = (option) => canvas.measureText(option.text).width;
    const chosen = width(select.selectedOptions[0]);
    const longest = Math.max(...Array.from(select.options).map(width));
    return {
      name: select.name,
      chosen: Math.max(0, Math.ceil(chosen - room)),
      longest: Math.max(0, Math.ceil(longest - room)),
    };
  });
}
"""


def _log_in(page, live_server, make_user, next_url: str) -> None:
    make_user("organizer", username="orla")
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", "orla")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.parametrize("width,height,name", [(1280, 900, "laptop"), (390, 844, "phone")])
def test_staff_read_every_column_choice_map_a_van_file_and_reach_its_people(
    page, live_server, make_user, width, height, name
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    _log_in(page, live_server, make_user, "/people/imports/")
    page.wait_for_url("**/people/imports/")
    path = Path(tempfile.mkdtemp()) / "van-export.csv"
    path.write_text(VAN_FILE, encoding="utf-8")
    page.goto(f"{live_server.url}/people/imports/new/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/mapping/")
    # The VAN ID column is already mapped to the VAN ID field.
    assert page.locator("select[name=col_0]").input_value() == "van_id"
    # The longest label, chosen on purpose, must fit too.
    page.locator("select[name=col_9]").select_option("full_name")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"import-mapping-{name}.png"), full_page=True)
    overflow = page.evaluate(_OVERFLOW)
    assert len(overflow) == 10
    assert [o for o in overflow if o["chosen"] > 0 or o["longest"] > 0] == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.locator("select[name=col_9]").select_option("ignore")
    page.get_by_role("button", name="Start import").click()
    page.wait_for_url("**/people/imports/*/")
    link = page.get_by_role("link", name="See the 3 people")
    link.wait_for(timeout=20_000)
    page.screenshot(path=str(SHOTS / f"import-result-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    link.click()
    page.wait_for_url("**/people/?imported=*")
    page.screenshot(path=str(SHOTS / f"import-people-{name}.png"), full_page=True)
    listed = page.locator("#results").inner_text()
    assert "Ada" in listed and "Cal" in listed and "Eve" in listed
    assert ExternalId.objects.filter(system="van").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
