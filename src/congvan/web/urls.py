"""Web UI routes: core pages (dashboard, outgoing, directory…) and the incoming side, in two modules."""

from congvan.web import urls_core, urls_incoming

urlpatterns = urls_core.urlpatterns + urls_incoming.urlpatterns
