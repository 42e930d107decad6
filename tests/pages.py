"""Reading rendered pages (and downloads) in tests."""

import csv
import io
import re

_CHECKBOX = re.compile(r"<input\b[^>]*\btype=\"checkbox\"[^>]*>", re.S)


def checkboxes(html: str, name: str) -> dict[str, bool]:
    """The tick boxes named `name`: value -> ticked, in page order."""
    found = {}
    for tag in _CHECKBOX.findall(html):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag).group(1)
            found[value] = re.search(r"\schecked\b", tag) is not None
    return found


def ticked(html: str, name: str) -> list[str]:
    """The values of the ticked boxes named `name`."""
    return [value for value, on in checkboxes(html, name).items() if on]


def element_with_class(html: str, css_class: str):
    """The first element of the page with `css_class` among its classes, parsed (Django's
    test HTML parser): its `attributes` and `children`, and `text_of` for its words."""
    from django.test.html import Element, parse_html

    def find(element):
        if isinstance(element, Element):
            classes = dict(element.attributes).get("class") or ""
            if css_class in classes.split():
                return element
            for child in element.children:
                found = find(child)
                if found is not None:
                    return found
        return None

    found = find(parse_html(html))
    assert found is not None, f"no element with class {css_class!r}"
    return found


def text_of(element) -> str:
    """An element's words, without its tags, in one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", str(element)).split())


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV download, which must be one: UTF-8 with the BOM Excel needs."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
