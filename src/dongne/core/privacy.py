"""Personal data of a member (개인정보 보호법): the export of everything stored about them (제35조 열람) and the
deletion on request (제36조 삭제), done as pseudonymisation so that the cooperative's records stay whole.

Which rows are "about" a person is found from the schema, not from a hand-kept list, so that a model added
later is covered: every row with a foreign key to the user or their ``network.Person`` (depth 1), every row
with a foreign key to such a row (depth 2: a certificate of a registration, the answers of a registration),
every row holding their e-mail address (an exhibition inquiry sent while logged out), and the audit entries
whose actor or target they are.

Deletion keeps those rows — ledgers, votes, minutes, registrations and the audit log must stay consistent
and are kept by law (협동조합 기본법: members' register, minutes, capital) — but rewrites what identifies the
person: the name becomes "탈퇴한 사용자 #<id>", the e-mail address, phone number and free-text personal
fields are cleared, login is disabled and API tokens are revoked. Secret ballots hold no link to anyone and
are not touched. Two records are left as they are on purpose: the governance hash chain (it holds ids and
hashes, never names) and the text of finalised minutes, whose hash is in that chain and which the Act
requires the cooperative to keep (PIPA 제36조① proviso: data other laws require to keep).
"""

import json

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone

from .models import ApiToken, AuditEntry, User

PSEUDONYM = "탈퇴한 사용자 #%(id)s"
# Columns never exported: secrets, hashes.
SECRET_FIELDS = {"password", "token_hash", "hash", "prev_hash", "session_key", "session_data"}
# Records the cooperative must keep unchanged (see the module docstring).
RETAINED = {("governance", "logentry"), ("governance", "loghead"), ("governance", "minutes")}
TEXT_FIELDS = (models.CharField, models.TextField)
# A foreign key by these names says the row belongs to the person (not merely made by them).
OWNER_FIELDS = {"user", "person", "cast_by"}
# Free text a person wrote about themself, cleared on deletion in the rows about them.
FREE_TEXT = {
    ("programs", "registrationanswer"): ["answer"],
    ("programs", "feedback"): ["comment"],
    ("programs", "inquiry"): ["name", "message"],
    ("core", "erasurerequest"): ["reason"],
}


def pseudonym(user):
    return PSEUDONYM % {"id": user.pk}


def _person(user):
    Person = apps.get_model("network", "Person")
    return Person.objects.filter(user=user).first()


def _linked_rows(user):
    """{model: set of pks} of the rows about ``user`` (see the module docstring)."""
    person = _person(user)
    roots = {User: {user.pk}}
    if person is not None:
        roots[type(person)] = {person.pk}
    found = {}

    def add(model, pks):
        if pks:
            found.setdefault(model, set()).update(pks)

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in roots and model not in roots:
                add(
                    model,
                    set(
                        model._base_manager.filter(
                            **{f"{field.attname}__in": roots[field.related_model]}
                        ).values_list("pk", flat=True)
                    ),
                )
    # Depth 2 only through rows the person owns (their registration, affiliation, …), not through rows
    # they merely made for others (a program the secretariat created has everyone's registrations).
    depth1 = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in roots and field.name in OWNER_FIELDS:
                ids = model._base_manager.filter(**{f"{field.attname}__in": roots[field.related_model]})
                depth1.setdefault(model, set()).update(ids.values_list("pk", flat=True))
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in depth1 and model not in roots:
                add(
                    model,
                    set(
                        model._base_manager.filter(
                            **{f"{field.attname}__in": depth1[field.related_model]}
                        ).values_list("pk", flat=True)
                    ),
                )
    if user.email:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.EmailField) and model not in roots:
                    add(
                        model,
                        set(
                            model._base_manager.filter(
                                **{f"{field.attname}__iexact": user.email}
                            ).values_list("pk", flat=True)
                        ),
                    )
    targets = Q(target_type="core.user", target_id=str(user.pk))
    if person is not None:
        targets |= Q(target_type="network.person", target_id=str(person.pk))
    add(
        AuditEntry, set(AuditEntry._base_manager.filter(Q(actor=user) | targets).values_list("pk", flat=True))
    )
    for model, pks in roots.items():
        add(model, pks)
    return found


def _row(obj):
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in SECRET_FIELDS and f.name not in SECRET_FIELDS
    }


# --- export ------------------------------------------------------------------------------------------------
def collect(user):
    """Everything stored about ``user`` as a JSON-ready dict (no permission check: see
    core.services.export_personal_data, the service that calls this)."""
    data = {}
    for model, pks in sorted(_linked_rows(user).items(), key=lambda item: item[0]._meta.label_lower):
        if (model._meta.app_label, model._meta.model_name) == ("governance", "ballot"):
            continue  # added below, without secret ballots
        rows = model._base_manager.filter(pk__in=pks).order_by("pk")
        data[model._meta.label_lower] = [_row(obj) for obj in rows]
    data["governance.ballot"] = _open_ballots(user)
    out = {
        "format": "dongne-personal-data/1",
        "exported_at": timezone.now(),
        "user_id": user.pk,
        "data": {label: rows for label, rows in data.items() if rows},
    }
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _open_ballots(user):
    """Ballots the user cast for their member in polls that are not secret (a secret ballot names nobody)."""
    if not apps.is_installed("dongne.governance"):
        return []
    Participation = apps.get_model("governance", "Participation")
    Ballot = apps.get_model("governance", "Ballot")
    rows = []
    for p in Participation._base_manager.filter(cast_by=user, poll__secret=False):
        rows += [
            _row(b) for b in Ballot._base_manager.filter(poll_id=p.poll_id, organisation_id=p.organisation_id)
        ]
    return rows


# --- deletion ----------------------------------------------------------------------------------------------
def erase(user):
    """Pseudonymise ``user`` in place, inside the caller's transaction (no permission check: see
    core.services.decide_erasure, the service that calls this)."""
    person = _person(user)
    alias = pseudonym(user)
    emails = {e for e in (user.email, person.email if person else "") if e}
    phones = {p for p in ([person.phone] if person else []) if p}
    names = {n for n in (user.name, person.name if person else "") if n and len(n) >= 2}
    linked = _linked_rows(user)
    # 1. The account and the person.
    User._base_manager.filter(pk=user.pk).update(
        name=alias, email=f"deleted-{user.pk}@deleted.invalid", password="!", is_active=False, role=""
    )
    if person is not None:
        type(person)._base_manager.filter(pk=person.pk).update(
            name=alias, email="", phone="", contact_visibility="officers"
        )
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    ApiToken.objects.filter(user=user).update(name="—")
    for session in Session.objects.all():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
    for (app_label, model_name), fields in FREE_TEXT.items():
        if apps.is_installed(f"dongne.{app_label}") or app_label == "core":
            model = apps.get_model(app_label, model_name)
            model._base_manager.filter(pk__in=linked.get(model, set())).update(**{f: "" for f in fields})
    # 2. E-mail addresses and phone numbers anywhere; names in the rows about the person.
    for model in apps.get_models():
        if (model._meta.app_label, model._meta.model_name) in RETAINED or model is Session:
            continue
        pks = linked.get(model, set())
        for field in model._meta.concrete_fields:
            if field.primary_key or field.is_relation or field.choices:
                continue
            if isinstance(field, TEXT_FIELDS):
                for value in emails | phones:
                    _replace(model, field, value, "", None)
                for value in names:
                    if pks:
                        _replace(model, field, value, alias, pks)
            elif isinstance(field, models.JSONField):
                _replace_json(model, field, emails | phones, names, alias, pks)


def _replace(model, field, old, new, pks):
    qs = model._base_manager.filter(**{f"{field.attname}__contains": old})
    if pks is not None:
        qs = qs.filter(pk__in=pks)
    if field.max_length and len(new) > len(old):
        for obj_pk, value in qs.values_list("pk", field.attname):
            model._base_manager.filter(pk=obj_pk).update(
                **{field.attname: value.replace(old, new)[: field.max_length]}
            )
    else:
        qs.update(**{field.attname: Replace(field.attname, Value(old), Value(new))})


def _replace_json(model, field, cleared, names, alias, pks):
    from django.db.models.functions import Cast

    values = list(cleared) + list(names)
    if not values:
        return
    text = Cast(field.attname, models.TextField())
    match = Q()
    for v in values:  # SQLite keeps JSON with \\u escapes, PostgreSQL's jsonb as text does not
        match |= Q(_as_text__contains=json.dumps(v)[1:-1]) | Q(_as_text__contains=v)
    for obj_pk, value in (
        model._base_manager.annotate(_as_text=text).filter(match).values_list("pk", field.attname)
    ):
        dumped = json.dumps(value, ensure_ascii=False)
        for v in cleared:
            dumped = dumped.replace(json.dumps(v, ensure_ascii=False)[1:-1], "")
        if obj_pk in pks:
            for v in names:
                dumped = dumped.replace(json.dumps(v, ensure_ascii=False)[1:-1], alias)
        if dumped != json.dumps(value, ensure_ascii=False):
            model._base_manager.filter(pk=obj_pk).update(**{field.attname: json.loads(dumped)})
