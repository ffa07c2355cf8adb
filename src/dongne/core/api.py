"""The platform's API at /api/v1/: one NinjaAPI, one error mapping, one authentication.

Programs authenticate with a personal token (``Authorization: Bearer dn_…``); the browser uses
its session (with CSRF on writes). Anonymous callers are the public.
"""

from datetime import datetime
from http import HTTPStatus

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.parser import Parser
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from . import selectors, services
from .errors import DongneError, NotAuthenticated, NotFound, PermissionDenied
from .errors import ValidationError as DomainValidationError
from .textguard import contains_nul, nul_character_error


class ActorAuth(AuthBase):
    """Resolves the caller: token user, session user, or the anonymous public.

    The public may read; a write (POST, PUT, PATCH, DELETE) from a caller with neither token nor session is
    refused with 401 here, before its body is validated (else a bad body would answer 400 to someone who may
    not write at all). The few writes the public may make (read-only queries sent as POST) use
    ``ActorAuth(anonymous_writes=True)``."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "Personal API token (dn_…), or the browser session"

    def __init__(self, *, anonymous_writes=False):
        super().__init__()
        self.anonymous_writes = anonymous_writes

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _sep, raw = header.partition(" ")
            if scheme.lower() != "bearer":
                return None
            return services.user_for_token(raw.strip())  # None → 401
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS") and not getattr(
                request, "_ninja_csrf_exempt", False
            ):
                if check_csrf(request) is not None:
                    raise PermissionDenied(
                        _("The form's security token is missing or expired; reload the page."),
                        code="csrf_failed",
                    )
            return user
        if request.method not in ("GET", "HEAD", "OPTIONS") and not self.anonymous_writes:
            return None  # → 401 (AuthenticationError)
        return AnonymousUser()


PUBLIC_QUERY = ActorAuth(anonymous_writes=True)  # POST endpoints that only read (dataset query, SQL)


class DongneAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts):
        # A Schema body parameter is read as {"payload": <body>}, so ninja reports a missing name
        # at body.payload.name; the caller sent {"name": …}, so report it at "name".
        exc = super().validation_error_from_error_contexts(error_contexts)
        wrappers = {getattr(c.model, "__read_from_single_attr__", None) for c in error_contexts} - {None}
        for err in exc.errors:
            loc = tuple(err.get("loc", ()))
            if len(loc) > 1 and loc[0] == "body" and loc[1] in wrappers:
                err["loc"] = (loc[0], *loc[2:])
        return exc

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # ActorAuth never refuses a caller without a token: that caller is the public (or the browser
        # session), and each endpoint decides what the public may do. An empty security requirement
        # says so in OpenAPI ("authentication optional"); a token that is sent must still be valid.
        # Every operation can also answer with the platform's error body: 400 (the request does not
        # match the schema), 401 (a token that is unknown or revoked), 403 (a session write without its
        # CSRF token) and 429 (a token over DONGNE_API_RATE_LIMIT). 404 and 409 stay per endpoint.
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema["paths"].values():
            for operation in operations.values():
                security = operation.get("security")
                if security and {} not in security:
                    security.append({})
                responses = operation.setdefault("responses", {})
                for status in COMMON_ERRORS:
                    responses.setdefault(
                        status,
                        {
                            "description": HTTPStatus(status).phrase,
                            "content": {"application/json": {"schema": error_ref}},
                        },
                    )
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        return schema


class DongneParser(Parser):
    """JSON bodies with a NUL character in any string are refused like the query strings (core.textguard)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if contains_nul(data):
            raise nul_character_error()
        return data


api = DongneAPI(
    parser=DongneParser(),
    title="Dongne API",
    version="1",
    description="동네 — 지역 ICT 사회적협동조합 통합 플랫폼 API. Errors: {code, message, messages: {ko, en}, errors}.",
    auth=ActorAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


def error_body(exc):
    """JSON body of a domain error: a machine-readable code and the message in Korean and English."""
    messages = {}
    for language in ("ko", "en"):
        with translation.override(language):
            messages[language] = exc.render()
    body = {
        "code": exc.code,
        "message": messages.get(translation.get_language() or "ko", messages["ko"]),
        "messages": messages,
    }
    if exc.errors:
        body["errors"] = exc.errors
    return body


@api.exception_handler(DongneError)
def _domain_error(request, exc):
    return api.create_response(request, error_body(exc), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _schema_error(request, exc):
    errors = {}
    for err in exc.errors:
        loc = ".".join(
            str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "form")
        )
        errors.setdefault(loc or "__all__", []).append(err.get("msg", ""))
    error = DomainValidationError(_("The request does not match the API schema."), errors=errors)
    return api.create_response(request, error_body(error), status=400)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # ninja's own errors, chiefly a request body that is not JSON (400): same shape as ours. ninja wraps
    # whatever the body parser raised, so a domain error from DongneParser is unwrapped and shown as itself.
    if isinstance(exc.__cause__, DongneError):
        return _domain_error(request, exc.__cause__)
    if exc.status_code == 400:
        error = DomainValidationError(_("The request does not match the API schema."))
    else:
        error = DongneError()
        error.status = exc.status_code
    return api.create_response(request, error_body(error), status=exc.status_code)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    if not request.headers.get("Authorization"):
        error = NotAuthenticated()  # a write from the public: log in, or send a token
        return api.create_response(request, error_body(error), status=401)
    error = NotAuthenticated(_("The API token is missing, unknown or revoked."), code="invalid_token")
    return api.create_response(request, error_body(error), status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body(NotFound()), status=404)


class ErrorOut(Schema):
    code: str
    message: str
    messages: dict[str, str]
    errors: dict | list | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}
# The errors any operation can give, whatever it does; DongneAPI documents them on every operation.
COMMON_ERRORS = (400, 401, 403, 429)

router = Router(tags=["core"])


class MeOut(Schema):
    authenticated: bool
    email: str | None = None
    name: str | None = None
    role: str | None = None


@router.get("/me", response=MeOut, summary="Who am I")
def me(request):
    user = request.auth
    if not user.is_authenticated:
        return {"authenticated": False}
    return {"authenticated": True, "email": user.email, "name": user.name, "role": user.role}


@router.get(
    "/health",
    response={200: dict, 503: dict},
    summary="Health: database, data folder and job queue (200 all ok, 503 otherwise)",
    auth=None,
)
def health(request):
    from . import health as checks

    healthy, report = checks.run_checks()
    return Status(200 if healthy else 503, report)


@router.get(
    "/me/personal-data",
    response={200: dict, **ERRORS},
    summary="Everything stored about me (개인정보 보호법 제35조), as on /accounts/privacy/",
)
def my_personal_data(request):
    if not request.auth.is_authenticated:
        raise NotAuthenticated()
    return services.export_personal_data(actor=request.auth, user_id=request.auth.pk)


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None = None
    revoked_at: str | None = None


class TokenCreatedOut(TokenOut):
    token: str


def _token_out(token):
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
def list_tokens(request):
    if not request.auth.is_authenticated:
        raise NotAuthenticated()
    return [_token_out(t) for t in request.auth.api_tokens.all()]


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an API token (shown once)")
def create_token(request, payload: TokenIn):
    token = services.create_api_token(actor=request.auth, name=payload.name)
    return Status(201, {**_token_out(token), "token": token.raw_token})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke an API token")
def revoke_token(request, token_id: int):
    return _token_out(services.revoke_api_token(actor=request.auth, token_id=token_id))


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    data: dict


@router.get("/audit", response={200: list[AuditOut], **ERRORS}, summary="Audit log (secretariat, auditor)")
@paginate
def audit_log(request, action: str = "", target_type: str = "", target_id: str = ""):
    return selectors.audit_entries(request.auth, action=action, target_type=target_type, target_id=target_id)
