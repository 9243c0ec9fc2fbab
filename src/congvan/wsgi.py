"""The WSGI entry point: the whole site, with the installation-to-installation protocol on a short path.

``/exchange/v1/`` is spoken by machines at hundreds of requests a second: it needs no session, CSRF,
locale, messages or static files, so it is served by a handler without middleware (same URLconf, same
views). Everything else goes through Django's full stack."""

import os

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvan.settings")
EXCHANGE_PREFIX = "/exchange/v1/"


class MachineHandler(WSGIHandler):
    """Django's request handler with an empty middleware chain."""

    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = convert_exception_to_response(self._get_response)


site = get_wsgi_application()
machines = MachineHandler()


def application(environ, start_response):
    handler = machines if environ.get("PATH_INFO", "").startswith(EXCHANGE_PREFIX) else site
    return handler(environ, start_response)
