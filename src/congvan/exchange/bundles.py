"""Several hub messages in one HTTP answer (``multipart/mixed``), and reading them back.

Each part carries the transport headers of one message and its exact ``Content-Length``, so the reader
copies a known number of bytes to a file and never searches binary data for the boundary. The whole
answer's length is known before the first byte is sent (keep-alive connections stay usable)."""

import uuid
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.http import StreamingHttpResponse

from congvan.documents import storage

CHUNK = 1024 * 1024
HEADERS = ("hub-id", "message-id", "messagetype", "from", "from-node")


class BundleError(Exception):
    """The answer does not have the shape of a bundle (a broken connection or a hub that is not ours)."""


def _part_head(boundary: str, message) -> bytes:
    values = (message.id, message.message_id, message.message_type, message.from_code, message.from_node)
    lines = [f"--{boundary}", *(f"{name}: {value}" for name, value in zip(HEADERS, values, strict=True)),
             "Content-Type: application/xml", f"Content-Length: {message.size}", "", ""]
    return "\r\n".join(lines).encode()


def response(messages: list) -> StreamingHttpResponse:
    """The answer holding ``messages`` (hub_sql.Stored), read from the file store as it is sent."""
    boundary = uuid.uuid4().hex
    heads = [_part_head(boundary, m) for m in messages]
    tail = f"--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        for head, message in zip(heads, messages, strict=True):
            yield head
            with open(storage.blob_path(message.blob_id), "rb") as source:
                while chunk := source.read(CHUNK):
                    yield chunk
            yield b"\r\n"
        yield tail

    answer = StreamingHttpResponse(body(), content_type=f"multipart/mixed; boundary={boundary}")
    answer["Content-Length"] = str(sum(len(h) + m.size + 2 for h, m in zip(heads, messages, strict=True))
                                   + len(tail))
    return answer


def read(stream: BinaryIO, boundary: str, open_dest: Callable[[dict], BinaryIO], max_part: int) -> list[dict]:
    """Copy each part of a bundle to the file ``open_dest(headers)`` gives; returns the parts' headers."""
    parts = []
    while True:
        line = stream.readline(1024).rstrip(b"\r\n")
        if line == f"--{boundary}--".encode():
            return parts
        if line != f"--{boundary}".encode():
            raise BundleError(f"bundle: expected a boundary, got {line[:80]!r}")
        headers = {}
        while (line := stream.readline(4096).rstrip(b"\r\n")):
            name, _, value = line.decode("utf-8", "replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        try:
            left = int(headers["content-length"])
        except (KeyError, ValueError):
            raise BundleError("bundle: a part without Content-Length")
        if left > max_part or not headers.get("hub-id"):
            raise BundleError("bundle: a part too large or without hub-id")
        with open_dest(headers) as dest:
            while left:
                chunk = stream.read(min(left, CHUNK))
                if not chunk:
                    raise BundleError("bundle: the answer ended inside a part")
                dest.write(chunk)
                left -= len(chunk)
        if stream.read(2) != b"\r\n":
            raise BundleError("bundle: a part not followed by CRLF")
        parts.append(headers)
