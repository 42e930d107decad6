"""Reading rendered pages in tests."""

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
