"""Safe lxml parsing shared by the reader and the signature code: no DTD, no entities, no network."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from .errors import PackageError

PROLOG_CHUNK = 64 * 1024


def parser_options() -> dict:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
            "huge_tree": True}


def dtd_error() -> PackageError:
    return PackageError("dtd_forbidden", "Gói tin chứa khai báo DOCTYPE/DTD (có thể kèm thực thể XML); "
                        "gói tin edXML không được dùng DTD nên bị từ chối.")


def syntax_error(exc: Exception) -> PackageError:
    """A PackageError with lxml's line and column when it has them."""
    position = getattr(exc, "position", None)
    line, column = position if position and position[0] else (getattr(exc, "lineno", 0) or 0, 0)
    reason = (getattr(exc, "msg", None) or str(exc) or exc.__class__.__name__).strip()
    reason = re.sub(r",? line \d+, column \d+$", "", reason)
    if line:
        message = f"Gói tin không đúng cú pháp XML (dòng {line}, cột {column}): {reason}"
    else:
        message = f"Gói tin không đúng cú pháp XML: {reason}"
    return PackageError("not_well_formed", message, line=line, column=column, reason=reason)


class _Stop(Exception):
    pass


class _PrologTarget:
    """Stops at the root element; refuses a DOCTYPE seen before it."""

    def doctype(self, *args):
        raise dtd_error()

    def start(self, tag, attrib, nsmap=None):
        raise _Stop()

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def close(self):
        return None


def check_prolog(path: str | Path) -> None:
    """Refuse a DOCTYPE before parsing the whole file into a tree (reads up to the root start tag)."""
    parser = etree.XMLParser(target=_PrologTarget(), **parser_options())
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(PROLOG_CHUNK):
                parser.feed(chunk)
            parser.close()
    except _Stop:
        return
    except PackageError:
        raise
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc)
    except (etree.LxmlError, ValueError, UnicodeError) as exc:
        raise syntax_error(exc)


def parse_file(path: str | Path) -> etree._ElementTree:
    """The whole file as an lxml tree (libxml2 memory, not Python's), DTDs refused first."""
    check_prolog(path)
    try:
        tree = etree.parse(str(path), etree.XMLParser(remove_comments=False, **parser_options()))
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc)
    except (etree.LxmlError, ValueError, UnicodeError) as exc:
        raise syntax_error(exc)
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise dtd_error()
    return tree
