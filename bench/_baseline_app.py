"""The bare-HTTP baseline of bench/exchange.py: a WSGI app that reads the body and answers 201 with JSON,
served by gunicorn with the same workers and threads as the hub (RECIPES §11: not http.server)."""

import json
import uuid


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    while length > 0:
        chunk = stream.read(min(length, 1024 * 1024))
        if not chunk:
            break
        length -= len(chunk)
    body = json.dumps({"ids": [str(uuid.uuid4())], "duplicate": False}).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
