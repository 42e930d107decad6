"""Every table reads at 390 px wide: none spills out of its box, no cell or caption clips text.

A table that stacks on a phone (`table-stack`) must fit its box. The gradebook, a grid of
students by assignments, scrolls sideways inside a labelled box (`table-scroll`) the keyboard
can reach: its caption is whole on screen and no cell clips its text.
"""

import pytest
from django.urls import reverse

from tests.browser.conftest import force_log_in

# name -> (who is logged in, address): the pages with a table (not the admin's, nor the marking
# view's "Changes after return", shown only once a returned mark has changed).
PAGES = {
    "My work": ("student", lambda w: reverse("classroom:work-list")),
    "My classes": ("teacher", lambda w: reverse("classroom:classroom-list")),
    "class page": ("teacher", lambda w: w.classroom.get_absolute_url()),
    "marking list": ("teacher", lambda w: w.work["Turned in"].get_absolute_url()),
    "insight": (
        "teacher",
        lambda w: reverse("classroom:assignment-insight", args=[w.work["Turned in"].pk]),
    ),
    "gradebook": (
        "teacher",
        lambda w: reverse("classroom:classroom-gradebook", args=[w.classroom.pk]),
    ),
}

# For each table: does it spill out of its box, and which of its cells clip their text?
# Cells hidden for all but screen readers (clipped to nothing) are left out.
MEASURE = """() => {
const hidden = (el) => {
  for (let a = el; a; a = a.parentElement) {
    if (getComputedStyle(a).clip === "rect(0px, 0px, 0px, 0px)") return true;
  }
  return false;
};
return [...document.querySelectorAll("main table")].map((table) => {
  const box = table.parentElement;
  const scrolls = box.classList.contains("table-scroll");
  const clipped = [...table.querySelectorAll("caption, th, td")]
    .filter((cell) => !hidden(cell) && cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.textContent.trim());
  const caption = table.querySelector("caption");
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.left >= -1 && r.right <= window.innerWidth + 1;
  };
  return {
    overflows: table.getBoundingClientRect().width > box.clientWidth + 1,
    scrolls,
    focusable: box.tabIndex === 0 && box.getAttribute("role") === "region",
    captionShown: !caption || hidden(caption) || shown(caption),
    boxShown: shown(box),
    clipped,
  };
});
}"""


@pytest.mark.parametrize("name", list(PAGES))
def test_tables_read_at_phone_width(name, new_page, world, live_server):
    who, address = PAGES[name]
    page = new_page(390, 844)
    force_log_in(page, getattr(world, who), live_server.url)
    page.goto(address(world))
    tables = page.evaluate(MEASURE)
    assert tables, f"{name} has no table"
    for table in tables:
        assert table["clipped"] == [], f"{name}: cells clip their text: {table['clipped']}"
        assert table["boxShown"], f"{name}: the table's box is wider than the screen"
        assert table["captionShown"], f"{name}: the caption is cut off"
        if table["scrolls"]:
            assert table["focusable"], f"{name}: a sideways-scrolling box the keyboard can't reach"
        else:
            assert not table["overflows"], f"{name}: the table spills out of its box"
