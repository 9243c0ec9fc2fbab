"""Exclusive C14N digest of a package file without its attachments in memory.

libxml2 canonicalises a text node by copying it twice (escaped copy, then the output buffer) and hands
it to a Python file-like object in one ``write``: a 200 MB attachment costs about 3× its size. So:

1. ``find_runs`` scans the file's bytes for the content of each ``ContentTransferEncoded`` element
   that is made only of ``[A-Za-z0-9+/=]`` and XML whitespace (what base64 is);
2. the file is parsed with each such run replaced by a random token (a small "skeleton" tree);
3. the skeleton is canonicalised (small) and hashed with each token replaced by its run, streamed
   from the file with XML's line-end normalisation (CR LF / CR → LF): these characters are output
   unchanged by C14N in text, CDATA and processing instructions alike.

The substitution is only trusted when every token appears exactly once, in order, in the canonical
form; otherwise (a run inside a comment, inside the removed Signature …) the digest is computed the
plain way on the full tree, streamed through a named pipe so Python never holds it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ._xmlsafe import check_prolog, dtd_error, parser_options, syntax_error
from .errors import PackageError

CHUNK = 1024 * 1024
RUN_MINIMUM = 64 * 1024
_WINDOW = 1024  # longest start/end tag looked for across chunk boundaries
_OPEN = re.compile(rb"<(?:[A-Za-z_][A-Za-z0-9_.-]*:)?ContentTransferEncoded(?:[ \t\r\n][^<>]*)?(?<!/)>")
_CLOSE = re.compile(rb"</(?:[A-Za-z_][A-Za-z0-9_.-]*:)?ContentTransferEncoded[ \t\r\n]*>")
_RUN = re.compile(rb"[A-Za-z0-9+/= \t\r\n]*")
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ASCII_SAFE = {"utf-8", "utf8", "us-ascii", "ascii"}


def _ascii_compatible(path: str | Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(256)
    if head.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00", b"\x4c\x6f\xa7\x94")):
        return False
    match = _DECLARED.match(head)
    return match is None or match[1].decode("ascii").lower() in _ASCII_SAFE


def find_runs(path: str | Path, minimum: int | None = RUN_MINIMUM) -> list[tuple[int, int]]:
    """Byte ranges of whole ContentTransferEncoded contents made of base64 characters and whitespace,
    at least ``minimum`` bytes long (None: none at all)."""
    if minimum is None or not _ascii_compatible(path):
        return []
    runs: list[tuple[int, int]] = []
    with open(path, "rb") as handle:
        buffer, base, eof = b"", 0, False
        inside, start = False, 0
        while True:
            if not inside:
                match = _OPEN.search(buffer)
                if match:
                    inside, start = True, base + match.end()
                    buffer, base = buffer[match.end():], start
                    continue
                if eof:
                    return runs
                cut = max(0, len(buffer) - _WINDOW)
                buffer, base = buffer[cut:], base + cut
            else:
                stop = _RUN.match(buffer).end()
                if stop < len(buffer):
                    match = _CLOSE.match(buffer, stop)
                    if match:
                        if base + stop - start >= minimum:
                            runs.append((start, base + stop))
                        inside = False
                        buffer, base = buffer[match.end():], base + match.end()
                        continue
                    if len(buffer) - stop >= _WINDOW or eof:
                        inside = False  # something else follows the text: leave it in the tree
                        buffer, base = buffer[stop:], base + stop
                        continue
                    buffer, base = buffer[stop:], base + stop  # maybe a closing tag cut by the chunk
                else:
                    if eof:
                        return runs
                    buffer, base = b"", base + len(buffer)
            chunk = handle.read(CHUNK)
            eof = not chunk
            buffer += chunk


def _copy_range(handle, start: int, end: int) -> Iterator[bytes]:
    handle.seek(start)
    left = end - start
    while left > 0:
        chunk = handle.read(min(CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _normalised_run(handle, start: int, end: int) -> Iterator[bytes]:
    """The run as the parser sees it: CR LF and lone CR become LF."""
    carry = b""
    for chunk in _copy_range(handle, start, end):
        chunk = carry + chunk
        carry = b""
        if chunk.endswith(b"\r"):
            chunk, carry = chunk[:-1], b"\r"
        yield chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if carry:
        yield b"\n"


@dataclass
class Skeleton:
    path: str
    tree: etree._ElementTree
    runs: list[tuple[int, int]] = field(default_factory=list)
    tokens: list[bytes] = field(default_factory=list)


def load(path: str | Path, minimum: int | None = RUN_MINIMUM) -> Skeleton:
    """The package as a tree whose large attachment contents are tokens (DTDs refused)."""
    path = str(path)
    check_prolog(path)
    runs = find_runs(path, minimum)
    secret = secrets.token_hex(16)
    tokens = [f"cvc14n{secret}{i:06d}".encode("ascii") for i in range(len(runs))]
    parser = etree.XMLParser(remove_comments=False, **parser_options())
    try:
        with open(path, "rb") as handle:
            position = 0
            for (start, end), token in zip(runs, tokens, strict=True):
                for chunk in _copy_range(handle, position, start):
                    parser.feed(chunk)
                parser.feed(token)
                position = end
            for chunk in _copy_range(handle, position, os.path.getsize(path)):
                parser.feed(chunk)
        root = parser.close()
    except PackageError:
        raise
    except (etree.LxmlError, ValueError, UnicodeError) as exc:
        raise syntax_error(exc)
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise dtd_error()
    return Skeleton(path, tree, runs, tokens)


def _hash_pipe(path: str, result: dict) -> None:
    try:
        digest = hashlib.sha256()
        with open(path, "rb", buffering=0) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        result["digest"] = digest.digest()
    except BaseException as exc:  # reported by the caller
        result["error"] = exc


def tree_digest(tree: etree._ElementTree, inclusive_prefixes: list[str] | None = None) -> bytes:
    """SHA-256 of the exclusive C14N of a whole tree, through a named pipe (libxml2 writes it with the
    GIL released, a thread hashes): Python never holds the canonical form."""
    options = {"exclusive": True, "with_comments": False, "inclusive_ns_prefixes": inclusive_prefixes or None}
    with tempfile.TemporaryDirectory(prefix="edxml-c14n-") as folder:
        target = os.path.join(folder, "c14n")
        result: dict = {}
        if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows: a temp file instead
            tree.write_c14n(target, **options)
            _hash_pipe(target, result)
            return result["digest"]
        os.mkfifo(target, 0o600)
        reader = threading.Thread(target=_hash_pipe, args=(target, result), daemon=True)
        reader.start()
        try:
            tree.write_c14n(target, **options)
        finally:
            try:  # a reader still waiting for a writer (C14N failed early) gets its end of file
                os.close(os.open(target, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
            reader.join()
        if "error" in result:
            raise result["error"]
        return result["digest"]


def digest(skeleton: Skeleton, prepare: Callable[[etree._ElementTree], None] | None = None,
           inclusive_prefixes: list[str] | None = None) -> bytes:
    """SHA-256 of the exclusive C14N (no comments) of the file, after ``prepare`` (e.g. removing the
    enveloped Signature) has been applied to the tree."""
    if prepare is not None:
        prepare(skeleton.tree)
    if skeleton.runs:
        canonical = io.BytesIO()
        skeleton.tree.write_c14n(canonical, exclusive=True, with_comments=False,
                                 inclusive_ns_prefixes=inclusive_prefixes or None)
        data = canonical.getvalue()
        positions = [data.find(token) for token in skeleton.tokens]
        if (all(p >= 0 and data.count(token) == 1 for p, token in zip(positions, skeleton.tokens, strict=True))
                and positions == sorted(positions)):
            hasher = hashlib.sha256()
            cursor = 0
            with open(skeleton.path, "rb") as handle:
                for position, token, (start, end) in zip(positions, skeleton.tokens, skeleton.runs, strict=True):
                    hasher.update(data[cursor:position])
                    for chunk in _normalised_run(handle, start, end):
                        hasher.update(chunk)
                    cursor = position + len(token)
            hasher.update(data[cursor:])
            return hasher.digest()
        # A token went missing or moved: fall back to the whole tree.
        full = load(skeleton.path, minimum=None)
        if prepare is not None:
            prepare(full.tree)
        return tree_digest(full.tree, inclusive_prefixes)
    return tree_digest(skeleton.tree, inclusive_prefixes)
