"""In-application notifications (the bell in the header)."""

from django.db import IntegrityError, transaction

from congvan.directory.models import Person, RoleGrant
from congvan.workflow.models import Notification


def notify(people, text: str, url: str = "", key: str = "") -> None:
    for person in people:
        try:
            with transaction.atomic():
                Notification.objects.create(person=person, text=text[:255], url=url, key=key)
        except IntegrityError:  # this reminder was already given
            pass


def people_with_role(agency, role: str):
    ids = RoleGrant.objects.filter(role=role, person__agency=agency).values("person_id")
    return Person.objects.filter(pk__in=ids)
