"""Receivers: link a user who accepted an invitation to the organisation they were invited for."""

from django.dispatch import receiver

from dongne.core.signals import invitation_accepted

from .models import Affiliation, Person


@receiver(invitation_accepted)
def link_invited_user(sender, invitation, user, **kwargs):
    if invitation.organisation_id is None:
        return
    person = Person.objects.filter(email__iexact=user.email, user__isnull=True).first()
    if person is None:
        person = Person.objects.create(name=user.name, email=user.email)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    Affiliation.objects.update_or_create(
        person=person, organisation_id=invitation.organisation_id, defaults={"is_representative": True}
    )
