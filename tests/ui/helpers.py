"""Small HTML helpers for the UI tests: our own pages parsed with lxml.html.

lxml's ``cssselect`` needs the ``cssselect`` package, which the project does not depend on, so
elements here answer the few selectors the tests use (tag, #id, .class, [attr], [attr=value],
descendant and ``>`` child combinators, commas) with a small translation to XPath.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree
import lxml.html

_COMPOUND = re.compile(r"(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:#[\w-]+|\.[\w-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|\[(?P<attr>[\w-]+)(?:=(?P<val>[^\]]+))?\]")


def _compound(selector: str) -> str:
    m = _COMPOUND.match(selector)
    if not m:
        raise ValueError(f"unsupported selector {selector!r}")
    out = m.group("tag") or "*"
    for part in _PART.finditer(m.group("rest")):
        if part.group("id"):
            out += f"[@id='{part.group('id')}']"
        elif part.group("cls"):
            out += f"[contains(concat(' ', normalize-space(@class), ' '), ' {part.group('cls')} ')]"
        elif part.group("val") is not None:
            value = part.group("val").strip("'\"")
            out += f"[@{part.group('attr')}='{value}']"
        else:
            out += f"[@{part.group('attr')}]"
    return out


def css_to_xpath(expr: str) -> str:
    paths = []
    for selector in expr.split(","):
        tokens = selector.replace(">", " > ").split()
        path, axis = ".", "//"
        for token in tokens:
            if token == ">":
                axis = "/"
                continue
            path += axis + _compound(token)
            axis = "//"
        paths.append(path)
    return " | ".join(paths)


class Element(lxml.html.HtmlElement):
    def cssselect(self, expr: str, translator: str = "html") -> list[Any]:  # noqa: ARG002
        return list(self.xpath(css_to_xpath(expr)))


_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(element=Element))


def parse(data: bytes | str) -> Any:
    return lxml.html.fromstring(data, parser=_PARSER)


def text(node: Any) -> str:
    """Visible text with whitespace (including no-break spaces) collapsed."""
    return " ".join(node.text_content().replace("\u00a0", " ").replace("\u202f", " ").split())
