"""Documented signals other apps listen to (ARCHITECTURE.md rule 4).

invitation_accepted(sender=Invitation, invitation, user): a user was created from an invitation;
    network links the user to the invited organisation as its representative.
"""

from django.dispatch import Signal

invitation_accepted = Signal()
