"""Routes of official e-mail (issue 5): the agency's mail, compliance, mailboxes, the address book."""

from django.urls import path

from congvan.web import views_mail, views_mailboxes

urlpatterns = [
    path("thu-den/", views_mail.intake_list, name="intake-list"),
    path("thu-den/<int:pk>/", views_mail.intake_detail, name="intake-detail"),
    path("thu-den/<int:pk>/tep/<int:attachment_pk>/", views_mail.intake_attachment, name="intake-attachment"),
    path("thu-den/<int:pk>/thu-goc/", views_mail.intake_raw, name="intake-raw"),
    path("thu-den/kiem-tra-hop-thu/", views_mail.compliance_page, name="mail-compliance"),
    path("thu-dien-tu/cua-toi/", views_mailboxes.my_mail, name="mail-mine"),
    path("thu-dien-tu/hop-thu/", views_mailboxes.agency_mailboxes, name="mail-mailboxes"),
    path("quan-tri/de-nghi-hop-thu/", views_mailboxes.mailbox_requests, name="mail-requests"),
    path("quan-tri/thu-dien-tu/", views_mailboxes.admin_mail, name="admin-mail"),
    path("so-dia-chi/", views_mailboxes.address_book, name="address-book"),
]
