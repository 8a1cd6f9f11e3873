"""The partner API, version 1 (ADR 0029): the portal's flows for a partner organisation's own system.

Authentication is the organisation's API key only (`Authorization: Bearer ocsc_...`, never a browser
session); each endpoint needs a scope the key holds; calls are rate limited per key (a database
counter, so every process shares it); every POST needs an `Idempotency-Key`. Errors are problem
documents (RFC 9457, `application/problem+json`). Reads and writes go through the same selectors and
services as the portal's pages, so the same organisation scope, agreement limits and audit events
apply; on top, every call writes a `partners.api_call` (or `partners.api_refused`) event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView, exception_handler

from opencsc.audit.services import Actor, record_event
from opencsc.documents import http as document_http
from opencsc.documents import selectors as document_selectors
from opencsc.documents import services as document_services
from opencsc.documents.models import CONTENT_TYPES, Document
from opencsc.partners.credentials import credential_for_key
from opencsc.partners.models import ApiCredential, ApiUsage, IdempotencyRecord, Scope
from opencsc.partners.uploads import bound_upload_handler, declared_too_large, limit
from opencsc.sharing import portal_selectors, portal_services
from opencsc.sharing.portal_selectors import PartnerCaller, Shown

PROBLEM = "application/problem+json"
LAST_USED_PRECISION = dt.timedelta(minutes=1)  # how fresh a key's `last_used_at` is kept


# --- Who is calling ---------------------------------------------------------------------------------


@dataclass
class ApiPrincipal:
    """The organisation, calling through one of its keys (stands in for `request.user`)."""

    credential: ApiCredential
    pk: None = None
    id: None = None
    is_authenticated: bool = True
    is_active: bool = True
    role: str = "partner_api"

    def get_username(self) -> str:
        return f"api:{self.credential.prefix}"

    @property
    def caller(self) -> PartnerCaller:
        return PartnerCaller(agency=self.credential.agency, via=f"{self.credential.prefix} ({self.credential.label})")


class PartnerKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiCredential] | None:
        header = get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        credential = credential_for_key(key.strip()) if scheme == "Bearer" else None
        if credential is None:
            raise exceptions.AuthenticationFailed("The API key is not valid, has expired or has been revoked")
        now = timezone.now()
        if credential.last_used_at is None or now - credential.last_used_at >= LAST_USED_PRECISION:
            # At most one write a minute per key: not a row lock taken by every call of a busy client.
            ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        return ApiPrincipal(credential), credential

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="openCSC partner API"'


class PartnerKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "opencsc.partners.api.PartnerKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An organisation's API key: ocsc_<prefix>_<secret>"}


class HasScope(BasePermission):
    """The key holds the scope the view names (`required_scope`)."""

    message = "This API key does not have the scope this request needs"

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, ApiPrincipal):
            return False
        return getattr(view, "required_scope", "") in principal.credential.scopes


class PerKeyRateThrottle(BaseThrottle):
    """OPENCSC_PARTNER_API_PER_MINUTE calls per key per clock minute, counted in the database."""

    def allow_request(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, ApiPrincipal):
            return True
        now = timezone.now()
        window = now.replace(second=0, microsecond=0)
        self._wait = 60 - now.second
        return _count_call(principal.credential.pk, window) <= settings.OPENCSC_PARTNER_API_PER_MINUTE

    def wait(self) -> float | None:
        return float(getattr(self, "_wait", 60))


def _count_call(credential_id: int, window: dt.datetime) -> int:
    """Add one to the key's counter for this minute (creating it) and return the count: one statement,
    atomic in the database (PostgreSQL and SQLite 3.35+ both upsert and return), whichever process
    counts first."""
    table, credential, minute, count = map(
        connection.ops.quote_name, (ApiUsage._meta.db_table, "credential_id", "window", "count")
    )
    with connection.cursor() as cursor:
        # Only our own table's and columns' names are formatted in; the values are parameters.
        cursor.execute(
            f"INSERT INTO {table} ({credential}, {minute}, {count}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({credential}, {minute}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [credential_id, window],
        )
        return int(cursor.fetchone()[0])


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as a problem document: title, status, detail, and the fields' messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body: dict[str, Any] = {"type": "about:blank", "title": response.status_text, "status": response.status_code}
    if isinstance(data, dict) and set(data) == {"detail"}:
        body["detail"] = str(data["detail"])
    else:
        body["detail"] = "The request is not valid: see errors"
        body["errors"] = data
    response.data = body
    response.content_type = PROBLEM
    return response


# --- The base of every endpoint ---------------------------------------------------------------------


class PartnerApiView(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    parser_classes = [JSONParser]  # a JSON API: form bodies are a 415 (documents: multipart, below)
    permission_classes = [HasScope]
    throttle_classes = [PerKeyRateThrottle]
    versioning_class = None
    required_scope = ""

    def get_exception_handler(self) -> Any:
        return problem_handler

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """DRF's `APIView.dispatch`, with the endpoint and its `partners.api_call` event in one
        transaction: one commit, and the audit chain locked and its head read once a call, not once
        an event. Authentication, scopes and the rate limit (`initial`) run before it, each statement
        committed at once, so the key's counter row is never locked for the length of a call; a call
        refused there writes its `partners.api_refused` event on its own. An error the endpoint turns
        into a problem document (a 404 and its `sharing.portal_refused` event, say) commits with
        the call's event; an unexpected error rolls the call back, events and all, like any write."""
        self.args, self.kwargs = args, kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            self.initial(drf_request, *args, **kwargs)
        except Exception as exc:  # DRF's own handling: a problem document, or a re-raise
            self.response = self.finalize_response(drf_request, self.handle_exception(exc), *args, **kwargs)
            return self.response
        with transaction.atomic():
            try:
                method = (drf_request.method or "").lower()
                handler = self.http_method_not_allowed
                if method in self.http_method_names:
                    handler = getattr(self, method, self.http_method_not_allowed)
                response = handler(drf_request, *args, **kwargs)
            except Exception as exc:
                response = self.handle_exception(exc)
            self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        return self.response

    def actor(self, request: Request) -> Actor:
        principal = request.user
        name = principal.get_username() if isinstance(principal, ApiPrincipal) else "api:anonymous"
        return Actor(
            id=None,
            name=name,
            role="partner_api",
            request_id=getattr(request._request, "request_id", ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )

    def caller(self, request: Request) -> PartnerCaller:
        principal = request.user
        assert isinstance(principal, ApiPrincipal)  # noqa: S101  (HasScope let the request through)
        return principal.caller

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        refused = response.status_code in (401, 403, 429)
        principal = getattr(request, "_user", None)
        record_event(
            actor=self.actor(request),
            action="partners.api_call" if not refused else "partners.api_refused",
            outcome="denied" if refused else "allowed",
            detail={
                "method": request.method,
                "path": request.path[:200],
                "status": response.status_code,
                "agency": principal.credential.agency_id if isinstance(principal, ApiPrincipal) else None,
            },
        )
        return super().finalize_response(request, response, *args, **kwargs)


def _no_unknown_fields(serializer: serializers.Serializer[Any]) -> None:
    unknown = (
        sorted(set(serializer.initial_data) - set(serializer.fields))
        if isinstance(serializer.initial_data, dict)
        else []
    )
    if unknown:
        raise exceptions.ValidationError({name: ["This field is not part of this request"] for name in unknown})


# --- Serializers (output: references, dates and what the agreement allows; input: strict) --------------


class RowSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()
    value = serializers.CharField()


class ItemSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    rows = RowSerializer(many=True)


class SectionSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(help_text="The data category (field registry code)")
    category_label = serializers.CharField()
    items = ItemSerializer(many=True)


class ChildSerializer(serializers.Serializer[Any]):
    unavailable = serializers.CharField(help_text="Why nothing can be shown, or empty")
    sections = SectionSerializer(many=True)


def _child(shown: Shown) -> dict[str, Any]:
    return {
        "unavailable": shown.unavailable,
        "sections": [
            {
                "category": category.value,
                "category_label": category.label,
                "items": [{"title": i.title, "rows": [{"label": k, "value": v} for k, v in i.rows]} for i in items],
            }
            for category, items in shown.sections
        ],
    }


class CheckSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    urgency = serializers.ChoiceField(choices=["red", "amber", "green"])
    status = serializers.ChoiceField(choices=["sent", "answered", "withdrawn"])
    sent_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


def _check(c: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "urgency": c.urgency,
        "status": c.status,
        "sent_at": c.sent_at,
        "due_at": c.due_at,
        "overdue": c.is_overdue(now or timezone.now()),
    }


class CheckDetailSerializer(CheckSerializer):
    question = serializers.CharField()
    purpose = serializers.CharField()
    agreement = serializers.CharField()
    child = ChildSerializer()


class AnswerInSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(max_length=5000, help_text="What the organisation holds, or that it holds nothing")


class AnswerOutSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    status = serializers.CharField()
    answered_at = serializers.DateTimeField()


class ViewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    purpose = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ViewDetailSerializer(ViewSerializer):
    disclosure = serializers.CharField()
    lawful_basis = serializers.CharField()
    child = ChildSerializer()


class ReferralInSerializer(serializers.Serializer[Any]):
    """A request for support (the portal's form, field for field). Unknown fields are refused."""

    child_first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    child_last_name = serializers.CharField(max_length=100, help_text="For an unborn baby, the mother's last name")
    child_other_names = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    child_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    child_expected_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Only for an unborn baby"
    )
    address_line1 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    address_town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    school = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    household = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    concern = serializers.CharField(max_length=10000, help_text="What the concern is")
    why_now = serializers.CharField(max_length=5000, help_text="Why the organisation is referring now")
    consent_given = serializers.BooleanField(help_text="The family agreed to the referral")
    no_consent_reason = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text="Needed when consent_given is false"
    )
    family_told = serializers.CharField(max_length=5000, help_text="What the family has been told")
    referrer_name = serializers.CharField(max_length=150)
    referrer_role = serializers.CharField(max_length=150)
    referrer_phone = serializers.CharField(max_length=30)
    referrer_email = serializers.EmailField(max_length=254)


class ReferralSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="received (the front door is looking at it) or decided")
    decided_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(help_text="What the front door may tell the referrer; empty until decided")


def _referral(found: Any) -> dict[str, Any]:
    r = found.referral
    return {
        "id": r.pk,
        "reference": r.reference,
        "received_at": r.received_at,
        "status": "decided" if found.decided else "received",
        "decided_on": found.decided_on,
        "outcome": found.outcome,
    }


class ProblemSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


PROBLEMS: dict[Any, Any] = {(code, PROBLEM): ProblemSerializer for code in (400, 401, 403, 404, 422, 429)}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True, description="Unique per request; a retry reuses it"
)


# --- Endpoints -------------------------------------------------------------------------------------


class CheckList(PartnerApiView):
    required_scope = Scope.CHECKS_READ

    @extend_schema(operation_id="checks_list", responses={200: CheckSerializer(many=True), **PROBLEMS})
    def get(self, request: Request) -> Response:
        """The MASH checks waiting for the organisation's answer, soonest due first (no child named)."""
        waiting = portal_selectors.waiting_checks_for_partner(caller=self.caller(request), actor=self.actor(request))
        now = timezone.now()
        return Response([_check(c, now) for c in waiting])


class CheckDetail(PartnerApiView):
    required_scope = Scope.CHECKS_READ

    @extend_schema(operation_id="checks_retrieve", responses={200: CheckDetailSerializer, **PROBLEMS})
    def get(self, request: Request, check_id: int) -> Response:
        """One check: the question, and the child's identifying details as far as the agreement allows."""
        found = portal_selectors.get_check_for_partner(
            caller=self.caller(request), actor=self.actor(request), check_id=check_id
        )
        c = found.request
        body = {
            **_check(c),
            "question": c.question,
            "purpose": str(c.purpose),
            "agreement": c.agreement.reference,
            "child": _child(found.shown),
        }
        return Response(body)


class CheckAnswer(PartnerApiView):
    required_scope = Scope.CHECKS_ANSWER

    @extend_schema(
        operation_id="checks_answer",
        request=AnswerInSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: AnswerOutSerializer, **PROBLEMS},
    )
    def post(self, request: Request, check_id: int) -> Response:
        """Answer a check. The answer is recorded on the child as information from the organisation."""
        return idempotent(request, lambda: self._answer(request, check_id))

    def _answer(self, request: Request, check_id: int) -> Response:
        data = AnswerInSerializer(data=request.data)
        _no_unknown_fields(data)
        data.is_valid(raise_exception=True)
        caller, actor = self.caller(request), self.actor(request)
        check = portal_selectors.get_check_to_answer(caller=caller, actor=actor, check_id=check_id)
        try:
            answered = portal_services.check_answer_as(
                caller=caller, actor=actor, request=check, summary=data.validated_data["summary"]
            )
        except DjangoPermissionDenied as exc:
            raise Http404 from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        body = {"reference": answered.reference, "status": answered.status, "answered_at": answered.answered_at}
        return Response(AnswerOutSerializer(body).data, status=status.HTTP_201_CREATED)


class ViewList(PartnerApiView):
    required_scope = Scope.VIEWS_READ

    @extend_schema(operation_id="views_list", responses={200: ViewSerializer(many=True), **PROBLEMS})
    def get(self, request: Request) -> Response:
        """Views shared with the organisation that are open now (no child named)."""
        views = portal_selectors.views_for_partner(caller=self.caller(request), actor=self.actor(request))
        return Response(
            [
                {"id": v.pk, "reference": v.reference, "purpose": str(v.disclosure.purpose), "expires_at": v.expires_at}
                for v in views
            ]
        )


class ViewDetail(PartnerApiView):
    required_scope = Scope.VIEWS_READ

    @extend_schema(operation_id="views_retrieve", responses={200: ViewDetailSerializer, **PROBLEMS})
    def get(self, request: Request, view_id: int) -> Response:
        """One shared view while it is open; expired, revoked or another organisation's: 404."""
        opened = portal_selectors.open_view(caller=self.caller(request), actor=self.actor(request), view_id=view_id)
        v = opened.view
        body = {
            "id": v.pk,
            "reference": v.reference,
            "purpose": str(v.disclosure.purpose),
            "expires_at": v.expires_at,
            "disclosure": v.disclosure.reference,
            "lawful_basis": v.disclosure.lawful_basis.citation,
            "child": _child(opened.shown),
        }
        return Response(body, status=410 if opened.shown.unavailable else 200)


class ReferralList(PartnerApiView):
    def get_permissions(self) -> list[BasePermission]:
        self.required_scope = Scope.REFERRALS_SUBMIT if self.request.method == "POST" else Scope.REFERRALS_READ
        return super().get_permissions()

    @extend_schema(operation_id="referrals_list", responses={200: ReferralSerializer(many=True), **PROBLEMS})
    def get(self, request: Request) -> Response:
        """The organisation's requests for support, newest first, with their status and outcome (no child named)."""
        found = portal_selectors.referrals_for_partner(caller=self.caller(request), actor=self.actor(request))
        return Response([_referral(f) for f in found])

    @extend_schema(
        operation_id="referrals_create",
        request=ReferralInSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ReferralSerializer, **PROBLEMS},
    )
    def post(self, request: Request) -> Response:
        """Send a request for support about a child to the front door (MASH). It is decided within one
        working day; read its outcome with `referrals_retrieve`. Whether the child is known is never said."""
        return idempotent(request, lambda: self._submit(request))

    def _submit(self, request: Request) -> Response:
        data = ReferralInSerializer(data=request.data)
        _no_unknown_fields(data)
        data.is_valid(raise_exception=True)
        caller, actor = self.caller(request), self.actor(request)
        try:
            referral = portal_services.partner_referral_submit(caller=caller, actor=actor, data=data.validated_data)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        found = portal_selectors.ReferralForPartner(referral=referral, decided=False, decided_on=None, outcome="")
        return Response(ReferralSerializer(_referral(found)).data, status=status.HTTP_201_CREATED)


class ReferralDetail(PartnerApiView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(operation_id="referrals_retrieve", responses={200: ReferralSerializer, **PROBLEMS})
    def get(self, request: Request, referral_id: int) -> Response:
        """One of the organisation's requests for support: received or decided, and the outcome the
        front door may tell the referrer. Another organisation's: 404."""
        found = portal_selectors.get_referral_for_partner(
            caller=self.caller(request), actor=self.actor(request), referral_id=referral_id
        )
        return Response(_referral(found))


# --- Documents (ADR 0032) ------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The file is larger than openCSC accepts"


class DocumentInSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="A PDF, PNG or JPEG image, or a Word (.docx), Excel (.xlsx) or OpenDocument text (.odt) file. "
        "Its type is read from its content and must match its name; polyglots, macro-enabled, encrypted and "
        "zip-bomb files are refused.",
    )


class DocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    filename = serializers.CharField()
    type = serializers.ChoiceField(choices=["pdf", "png", "jpeg", "docx", "xlsx", "odt"])
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes")
    uploaded_at = serializers.DateTimeField()
    attached_to = serializers.CharField()


def _document(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "reference": d.reference,
        "filename": str(d.filename),
        "type": d.kind,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "attached_to": d.attached_to,
    }


DOCUMENT_PROBLEMS = {**PROBLEMS, (413, PROBLEM): ProblemSerializer, (415, PROBLEM): ProblemSerializer}


class _Documents(PartnerApiView):
    """The organisation's documents on one of its checks or requests: list them, or attach one
    (multipart/form-data, one `file`). Nothing is stored unless the file passes every check."""

    parser_classes = [MultiPartParser]
    read_scope = ""
    write_scope = ""

    def get_permissions(self) -> list[BasePermission]:
        self.required_scope = self.write_scope if self.request.method == "POST" else self.read_scope
        return super().get_permissions()

    def upload(self, request: Request) -> tuple[bytes, str]:
        if refused := declared_too_large(request._request):
            raise PayloadTooLarge(refused)
        handler = bound_upload_handler(request._request)
        data = DocumentInSerializer(data=request.data)
        if handler.too_large:
            raise PayloadTooLarge(f"{handler.too_large[0]} is more than the {limit():,} bytes allowed for a document")
        _no_unknown_fields(data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        return upload.read(), str(upload.name or "")

    def attach(self, request: Request, **target: Any) -> Response:
        content, name = self.upload(request)

        def handle() -> Response:
            try:
                document = document_services.document_attach(
                    caller=self.caller(request), actor=self.actor(request), data=content, filename=name, **target
                )
            except DjangoPermissionDenied as exc:
                raise Http404 from exc
            return Response(DocumentSerializer(_document(document)).data, status=status.HTTP_201_CREATED)

        return idempotent(request, handle, extra=hashlib.sha256(content).hexdigest())


class CheckDocuments(_Documents):
    read_scope = Scope.CHECKS_READ
    write_scope = Scope.CHECKS_ANSWER

    @extend_schema(operation_id="checks_documents_list", responses={200: DocumentSerializer(many=True), **PROBLEMS})
    def get(self, request: Request, check_id: int) -> Response:
        """The documents the organisation attached to its answer to a check."""
        caller = self.caller(request)
        portal_selectors.get_check_for_partner(caller=caller, actor=self.actor(request), check_id=check_id)
        return Response(
            [_document(d) for d in document_selectors.documents_sent(caller=caller, check_request_id=check_id)]
        )

    @extend_schema(
        operation_id="checks_documents_create",
        request={"multipart/form-data": DocumentInSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DocumentSerializer, **DOCUMENT_PROBLEMS},
    )
    def post(self, request: Request, check_id: int) -> Response:
        """Attach a document to the organisation's answer to a check (before or after answering; not to a
        withdrawn check). It goes on the child's record beside the answer."""
        found = portal_selectors.get_check_for_partner(
            caller=self.caller(request), actor=self.actor(request), check_id=check_id
        )
        return self.attach(request, check_request=found.request)


class ReferralDocuments(_Documents):
    read_scope = Scope.REFERRALS_READ
    write_scope = Scope.REFERRALS_SUBMIT

    @extend_schema(operation_id="referrals_documents_list", responses={200: DocumentSerializer(many=True), **PROBLEMS})
    def get(self, request: Request, referral_id: int) -> Response:
        """The documents the organisation attached to one of its requests for support."""
        caller = self.caller(request)
        portal_selectors.get_referral_for_partner(caller=caller, actor=self.actor(request), referral_id=referral_id)
        return Response(
            [_document(d) for d in document_selectors.documents_sent(caller=caller, referral_id=referral_id)]
        )

    @extend_schema(
        operation_id="referrals_documents_create",
        request={"multipart/form-data": DocumentInSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DocumentSerializer, **DOCUMENT_PROBLEMS},
    )
    def post(self, request: Request, referral_id: int) -> Response:
        """Attach a document to one of the organisation's requests for support."""
        found = portal_selectors.get_referral_for_partner(
            caller=self.caller(request), actor=self.actor(request), referral_id=referral_id
        )
        return self.attach(request, referral=found.referral)


class AnyAccept(BaseContentNegotiation):
    """A download answers with the document's own type whatever the client accepts (a problem
    document when refused), so content negotiation never turns it into a 406."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


DOWNLOAD = {
    **{(200, content_type): OpenApiTypes.BINARY for content_type in dict.fromkeys(CONTENT_TYPES.values())},
    **PROBLEMS,
}


class _DocumentDownload(PartnerApiView):
    """One of the organisation's own documents, as sent: the type openCSC found (`Content-Type`), an
    attachment (`Content-Disposition`, named by reference and the sender's name made safe), `nosniff`,
    not cached, sandboxed. Another organisation's, a missing one, or one attached to another check or
    request: 404, and the attempt audited (`documents.partner_refused`); an opening is audited
    (`documents.partner_open`), as on the portal's `/partners/documents/<id>/`."""

    content_negotiation_class = AnyAccept

    def send(self, request: Request, document_id: int, **parent: int) -> HttpResponse:
        found, data = document_selectors.get_document_for_partner(
            caller=self.caller(request), actor=self.actor(request), document_id=document_id, **parent
        )
        return document_http.download(found, data)


class CheckDocument(_DocumentDownload):
    required_scope = Scope.CHECKS_READ

    @extend_schema(operation_id="checks_documents_retrieve", responses=DOWNLOAD)
    def get(self, request: Request, check_id: int, document_id: int) -> HttpResponse:
        """Download a document the organisation attached to its answer to a check."""
        portal_selectors.get_check_for_partner(
            caller=self.caller(request), actor=self.actor(request), check_id=check_id
        )
        return self.send(request, document_id, check_request_id=check_id)


class ReferralDocument(_DocumentDownload):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(operation_id="referrals_documents_retrieve", responses=DOWNLOAD)
    def get(self, request: Request, referral_id: int, document_id: int) -> HttpResponse:
        """Download a document the organisation attached to one of its requests for support."""
        portal_selectors.get_referral_for_partner(
            caller=self.caller(request), actor=self.actor(request), referral_id=referral_id
        )
        return self.send(request, document_id, referral_id=referral_id)


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other path under /api/v1/ (a malformed id included): a problem document, not a page."""
    body = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "There is no such API endpoint"}
    return HttpResponse(json.dumps(body), status=404, content_type=PROBLEM)


# --- Idempotency -------------------------------------------------------------------------------------


def idempotent(request: Request, handle: Any, extra: str = "") -> Response:
    """Run `handle` once per (key, Idempotency-Key): a retry with the same request gets the first
    reply again (`Idempotent-Replayed: true`) and changes nothing; the same key with a different
    request is refused (422). Only successful replies are kept, so a failed request can be retried."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        raise exceptions.ValidationError({"Idempotency-Key": ["Send an Idempotency-Key header (up to 100 characters)"]})
    principal = request.user
    assert isinstance(principal, ApiPrincipal)  # noqa: S101
    fingerprint = hashlib.sha256(
        f"{request.method} {request.path} {extra}\n".encode()
        + json.dumps(request.data, sort_keys=True, default=str).encode()
    ).hexdigest()
    kept = IdempotencyRecord.objects.filter(credential=principal.credential, key=key).first()
    if kept is not None:
        if kept.request_hash != fingerprint:
            return _problem(422, "This Idempotency-Key was already used for a different request")
        response = Response(kept.body, status=kept.status)
        response["Idempotent-Replayed"] = "true"
        return response
    response = handle()
    if 200 <= response.status_code < 300:
        # A concurrent retry that kept its reply first wins (ours is then the same change refused):
        # ON CONFLICT DO NOTHING, no savepoint to recover from an IntegrityError.
        IdempotencyRecord.objects.bulk_create(
            [
                IdempotencyRecord(
                    credential=principal.credential,
                    key=key,
                    request_hash=fingerprint,
                    status=response.status_code,
                    body=json.loads(json.dumps(response.data, default=_json_default)),
                )
            ],
            ignore_conflicts=True,
        )
    return response


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _problem(code: int, detail: str) -> Response:
    titles = {422: "Unprocessable Entity"}
    return Response(
        {"type": "about:blank", "title": titles.get(code, "Error"), "status": code, "detail": detail},
        status=code,
        content_type=PROBLEM,
    )
