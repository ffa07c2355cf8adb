"""Programs endpoints under /api/v1/programs/. Every write goes through services."""

import datetime as dt

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from dongne.core.api import ERRORS
from dongne.core.errors import NotAuthenticated

from . import selectors, services

router = Router(tags=["programs"])


class SessionOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    speakers: str


class ProgramOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    audience: str
    status: str
    organiser: str | None = None
    co_hosts: list[str]
    capacity: int
    places_left: int
    requires_approval: bool
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    completion_threshold: int
    sessions: list[SessionOut]

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser.name if obj.organiser_id else None

    @staticmethod
    def resolve_co_hosts(obj):
        return [o.name for o in obj.co_hosts.all()]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())


class QuestionOut(Schema):
    id: int
    text: str
    required: bool


class ProgramDetailOut(ProgramOut):
    description: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.all())


class RegisterIn(Schema):
    answers: dict[str, str] = {}


class RegistrationOut(Schema):
    id: int
    program_id: int
    program_title: str
    status: str
    code: str
    waitlist_position: int | None = None
    offer_expires_at: dt.datetime | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_program_title(obj):
        return obj.program.title

    @staticmethod
    def resolve_waitlist_position(obj):
        return selectors.waitlist_position(obj)


@router.get(
    "/programs",
    response=list[ProgramOut],
    summary="Programs (kind=course|seminar|forum|exhibition, when=upcoming|past)",
)
@paginate
def list_programs(request, kind: str = "", when: str = ""):
    return selectors.program_list(request.auth, kind=kind, when=when)


@router.get("/programs/{program_id}", response={200: ProgramDetailOut, **ERRORS}, summary="One program")
def get_program(request, program_id: int):
    return selectors.get_program(request.auth, program_id)


@router.post(
    "/programs/{program_id}/register",
    response={201: RegistrationOut, **ERRORS},
    summary="Register (a place if one is left, else the waiting list); answers keyed by question id",
)
def register(request, program_id: int, payload: RegisterIn):
    selectors.get_program(request.auth, program_id)
    registration = services.register(actor=request.auth, program_id=program_id, answers=payload.answers)
    return Status(201, registration)


@router.get("/registrations", response={200: list[RegistrationOut], **ERRORS}, summary="My registrations")
def my_registrations(request):
    if not request.auth.is_authenticated:
        raise NotAuthenticated()
    return list(selectors.my_registrations(request.auth))


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **ERRORS},
    summary="Cancel a registration",
)
def cancel(request, registration_id: int):
    return services.cancel_registration(actor=request.auth, registration_id=registration_id)


@router.post(
    "/registrations/{registration_id}/confirm",
    response={200: RegistrationOut, **ERRORS},
    summary="Confirm a place offered from the waiting list",
)
def confirm(request, registration_id: int):
    return services.confirm_offer(actor=request.auth, registration_id=registration_id)
