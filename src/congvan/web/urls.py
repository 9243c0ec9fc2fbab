"""Web UI routes: core pages (dashboard, outgoing, directory…) and the incoming side, in two modules."""

from congvan.reports import urls as reports_urls
from congvan.web import urls_core, urls_exchange, urls_incoming, urls_mail, urls_search, urls_signing

urlpatterns = urls_core.urlpatterns + urls_incoming.urlpatterns
urlpatterns += urls_signing.urlpatterns  # chữ ký số (issue 3)
urlpatterns += urls_exchange.urlpatterns  # liên thông (issue 4)
urlpatterns += urls_mail.urlpatterns  # thư điện tử công vụ (issue 5)
urlpatterns += urls_search.urlpatterns  # tìm kiếm, số hóa (issue 6)
urlpatterns += reports_urls.urlpatterns  # báo cáo (issue 7)
