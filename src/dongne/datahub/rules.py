"""Permission rules of the datahub app (see core.permissions).

Visibility: public datasets are open to everyone; members-only datasets to any logged-in user;
private datasets to the publisher's representatives and the officers."""

from dongne.core.permissions import is_authenticated, is_officer, is_secretariat, rule
from dongne.network.rules import represents

from .choices import Visibility


def publishes(actor, dataset):
    return (
        dataset is not None and dataset.publisher_id is not None and represents(actor, dataset.publisher_id)
    )


def can_see(actor, dataset):
    if dataset is None:
        return False
    if dataset.visibility == Visibility.PUBLIC:
        return True
    if dataset.visibility == Visibility.MEMBERS:
        return is_authenticated(actor)
    return (
        is_officer(actor)
        or publishes(actor, dataset)
        or (is_authenticated(actor) and dataset.created_by_id == actor.pk)
    )


@rule("datahub.view_dataset")
def _view(actor, dataset):
    return can_see(actor, dataset)


@rule("datahub.create_dataset")
def _create(actor, publisher):
    # The secretariat publishes for anyone; a representative publishes for their own organisation.
    if is_secretariat(actor):
        return True
    return publisher is not None and represents(actor, publisher.pk)


@rule("datahub.change_dataset")
def _change(actor, dataset):
    return is_secretariat(actor) or publishes(actor, dataset)


@rule("datahub.delete_dataset")
def _delete(actor, dataset):
    # Deleting published data is the secretariat's call; publishers ask it (the data may be cited elsewhere).
    return is_secretariat(actor)


@rule("datahub.recover_ingests")
def _recover_ingests(actor, obj=None):
    # The queue consumer (actor None) at start and hourly; the secretariat by hand.
    return actor is None or is_secretariat(actor)


@rule("datahub.add_version")
def _add_version(actor, dataset):
    # actor None is the platform itself: scheduled refreshes of API-sourced datasets, shell commands.
    return actor is None or is_secretariat(actor) or publishes(actor, dataset)
