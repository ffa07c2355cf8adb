"""Permission rules of programs (see core.permissions)."""

from dongne.core.permissions import is_authenticated, is_officer, is_secretariat, rule
from dongne.network.rules import represents

from .choices import ProgramStatus, Visibility


def manages(actor, program):
    """Secretariat, the program's staff, or a representative of the organising organisation."""
    if not is_authenticated(actor) or program is None:
        return False
    if is_secretariat(actor):
        return True
    if program.pk and program.staff.filter(pk=actor.pk).exists():
        return True
    return represents(actor, program.organiser_id)


@rule("programs.create_program")
def _create(actor, organiser):
    # The secretariat creates any program; a representative creates one organised by their organisation.
    return is_secretariat(actor) or (organiser is not None and represents(actor, organiser.pk))


@rule("programs.manage_program")
def _manage(actor, program):
    return manages(actor, program)


@rule("programs.view_participant_contacts")
def _view_contacts(actor, program):
    # Participants' e-mail addresses (개인정보 보호법: only those who need them): the secretariat and the
    # organiser's representatives, who answer for the program. Door staff check people in by name.
    if not is_authenticated(actor) or program is None:
        return False
    return is_secretariat(actor) or represents(actor, program.organiser_id)


@rule("programs.view_program")
def _view(actor, program):
    return program is not None and (program.status != ProgramStatus.DRAFT or manages(actor, program))


@rule("programs.register")
def _register(actor, program):
    return is_authenticated(actor) and program is not None and program.status == ProgramStatus.PUBLISHED


@rule("programs.change_registration")
def _change_registration(actor, registration):
    # Cancel one's own registration (or confirm an offered place); organisers can cancel anyone's.
    return is_authenticated(actor) and (
        registration.user_id == actor.pk or manages(actor, registration.program)
    )


@rule("programs.decide_registration")
def _decide(actor, registration):
    return manages(actor, registration.program)


# The periodic task (actor None) and the secretariat expire offers that ran out.
rule("programs.expire_offers")(lambda actor, obj: actor is None or is_secretariat(actor))


@rule("programs.check_in")
def _check_in(actor, session):
    return session is not None and manages(actor, session.program)


@rule("programs.issue_certificate")
def _certificate(actor, registration):
    return is_authenticated(actor) and (
        registration.user_id == actor.pk or manages(actor, registration.program)
    )


@rule("programs.submit_feedback")
def _feedback(actor, registration):
    return is_authenticated(actor) and registration.user_id == actor.pk


@rule("programs.view_feedback")
def _view_feedback(actor, program):
    return manages(actor, program) or is_officer(actor)


rule("programs.create_calendar_feed")(lambda actor, obj: is_authenticated(actor))
rule("programs.view_statistics")(lambda actor, obj: is_officer(actor))


# --- knowledge base ---------------------------------------------------------------------------
rule("programs.write_article")(lambda actor, obj: is_authenticated(actor))


@rule("programs.change_article")
def _change_article(actor, article):
    if not is_authenticated(actor) or article is None:
        return False
    return (
        is_secretariat(actor)
        or article.author_id == actor.pk
        or (article.organisation_id is not None and represents(actor, article.organisation_id))
    )


@rule("programs.view_article")
def _view_article(actor, article):
    if article.visibility == Visibility.PUBLIC:
        return True
    if article.visibility == Visibility.MEMBERS:
        return is_authenticated(actor)
    return _change_article(actor, article)


# --- online exhibition ------------------------------------------------------------------------
@rule("programs.manage_exhibit")
def _manage_exhibit(actor, organisation):
    return is_secretariat(actor) or (organisation is not None and represents(actor, organisation.pk))


rule("programs.send_inquiry")(lambda actor, exhibit: exhibit is not None and exhibit.is_published)
