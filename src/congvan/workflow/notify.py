"""In-application notifications (the bell in the header)."""

from congvan.directory.models import Person, Role, RoleGrant
from congvan.workflow.models import Notification


def notify(people, text: str, url: str = "", key: str = "", *, by_mail: bool = False) -> None:
    """One insert for everyone; a keyed reminder already given is skipped by the unique (person, key).

    ``by_mail``: new arrivals; people who asked for it (congvan.mail preference) also get an e-mail."""
    people = list(people)
    Notification.objects.bulk_create(
        [Notification(person=person, text=text[:255], url=url, key=key) for person in people],
        ignore_conflicts=True)
    if by_mail and people:
        from congvan.mail import outbox  # the mail app builds on the workflow, not the reverse

        outbox.enqueue_notifications(people, text, url)


def operators() -> list[Person]:
    """The province operators (quản trị toàn tỉnh); the agencies' administrators when none is set."""
    return list(Person.objects.filter(is_operator=True)) or list(
        Person.objects.filter(role_grants__role=Role.ADMIN).distinct())


def people_with_role(agency, role: str):
    ids = RoleGrant.objects.filter(role=role, person__agency=agency).values("person_id")
    return Person.objects.filter(pk__in=ids)
