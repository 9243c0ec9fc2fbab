"""Web UI routes: core pages (dashboard, outgoing, directory…) and the incoming side, in two modules."""

from congvan.reports import urls as reports_urls
from congvan.web import urls_core, urls_exchange, urls_incoming, urls_signing

urlpatterns = urls_core.urlpatterns + urls_incoming.urlpatterns
urlpatterns += urls_signing.urlpatterns  # chữ ký số (issue 3)
urlpatterns += urls_exchange.urlpatterns  # liên thông (issue 4)
urlpatterns += reports_urls.urlpatterns  # báo cáo (issue 7)
