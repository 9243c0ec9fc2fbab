"""In-application notifications (the bell in the header)."""

from congvan.directory.models import Person, Role, RoleGrant
from congvan.workflow.models import Notification


def notify(people, text: str, url: str = "", key: str = "") -> None:
    """One insert for everyone; a keyed reminder already given is skipped by the unique (person, key)."""
    Notification.objects.bulk_create(
        [Notification(person=person, text=text[:255], url=url, key=key) for person in people],
        ignore_conflicts=True)


def operators() -> list[Person]:
    """The province operators (quản trị toàn tỉnh); the agencies' administrators when none is set."""
    return list(Person.objects.filter(is_operator=True)) or list(
        Person.objects.filter(role_grants__role=Role.ADMIN).distinct())


def people_with_role(agency, role: str):
    ids = RoleGrant.objects.filter(role=role, person__agency=agency).values("person_id")
    return Person.objects.filter(pk__in=ids)
