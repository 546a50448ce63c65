"""REST API building blocks shared by every app's api.py.

- ``ModelSerializer``: runs the model's ``full_clean`` (DRF does not) and reports
  its errors per field.
- ``ObjectViewSet``: scoping, filtering and audited writes through core.services.

The classes named in settings (permission, pagination, error format) live in
core/drf.py, which must not import DRF's views (DRF reads settings while its
views module loads).
"""

from __future__ import annotations

import copy

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.core import attachments, chain, choices, comments, records, saved_filters, search, services, work
from onestop.core import signatures as sig
from onestop.core.drf import django_errors_to_dict
from onestop.core.models import Attachment, Comment, SavedFilter, SecurityEvent, Signature, Visibility
from onestop.core.schema import ErrorResponseSerializer
from onestop.core.views_documents import pdf_response, record_and_document
from onestop.core.views_records import attachment_download
from onestop.core.views_security import SecurityEventFilterSet
from onestop.core.workflow import WorkflowModel, perform_transition


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that validates with the model's own rules (``full_clean``)."""

    full_clean_exclude: tuple[str, ...] = ()  # fields the serializer sets another way (e.g. a password)

    def get_fields(self):
        fields = super().get_fields()
        if getattr(self.Meta.model, "reason_fields", ()):
            # Like the edit page's field (core/forms.py ModelForm): why a reason field changed.
            fields["change_reason"] = serializers.CharField(
                write_only=True,
                required=False,
                allow_blank=True,
                max_length=services.CHANGE_REASON_LENGTH,
                help_text=_("Required when an update changes %(fields)s; kept in the history.")
                % {"fields": ", ".join(self.Meta.model.reason_fields)},
            )
        return fields

    def validate(self, attrs):
        reason = attrs.pop("change_reason", "").strip()
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is not None:
            changed = [name for name, value in attrs.items() if getattr(self.instance, name, value) != value]
            needing = services.reason_needed(model, changed)
            if needing and not reason:
                raise serializers.ValidationError({"change_reason": [services.reason_refusal(needing)]})
            # The user's words go into the history of the update's save (core/services.py _stamp).
            self.instance._edit_reason = reason
        instance = copy.copy(self.instance) if self.instance is not None else model()
        many_to_many = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        serializer_fields = {f.source for f in self.fields.values() if not f.read_only}
        exclude = [
            f.name
            for f in model._meta.concrete_fields
            if (f.name not in serializer_fields and not f.primary_key)
            or f.name in self.full_clean_exclude
            or getattr(f, "protected", False)  # a protected state field changes only by transition
        ]
        try:
            instance.full_clean(exclude=exclude, validate_unique=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_dict(exc)) from None
        return attrs


class ObjectViewSet(viewsets.ModelViewSet):
    """Scoped, filtered, audited CRUD for one model. Subclasses set queryset and serializer."""

    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # The permission RulesPermission asks for an extra action (service_action: "view"; the
    # service asks its own rule); None: the default for the HTTP method.
    required_action: str | None = None

    def get_queryset(self):
        model = self.queryset.model
        queryset = model.objects.visible_to(self.request.user)
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    # The app's own save for this record, ``f(obj, actor=)``, when saving means more than the
    # generic save and edit (a rule across records, a notification): used on create and update.
    save_service = None

    def perform_create(self, serializer):
        record = serializer.Meta.model(**_plain(serializer))
        save = type(self).save_service or services.save
        serializer.instance = save(record, actor=self.request.user)
        _set_many(serializer)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in _plain(serializer).items():
            setattr(instance, name, value)
        if type(self).save_service is not None:
            type(self).save_service(instance, actor=self.request.user)
        else:
            services.edit(instance, actor=self.request.user)
        _set_many(serializer)

    def perform_destroy(self, instance):
        services.delete_instance(instance, actor=self.request.user)


# Extra actions that answer a list of one record's rows (``@action(detail=True, **…)``). Neither
# takes the viewset's filters, which are about the viewset's own records, not these rows.
# - a list that grows with the record's life is paginated like every list: ``ROWS_OF_RECORD`` and
#   ``paginated(self, rows, Serializer)`` (the project's pagination class, ``page``/``page_size``);
# - a list bounded by its nature (one row per compared term, per department) is a plain array,
#   documented as one: ``PLAIN_LIST``.
ROWS_OF_RECORD: dict = {"filter_backends": ()}
PLAIN_LIST: dict = {"filter_backends": (), "pagination_class": None}


def paginated(view, rows, serializer_class, **kwargs) -> Response:
    """One page of ``rows`` (a queryset or a list) in the project's paginated envelope.

    The paginator is asked directly: a viewset's own ``paginate_queryset`` is about its own
    records (e.g. engagements add who holds the ball), not about these rows."""
    page = view.paginator.paginate_queryset(rows, view.request, view=view)
    return view.paginator.get_paginated_response(serializer_class(page, many=True, **kwargs).data)


def _plain(serializer) -> dict:
    many = {f.name for f in serializer.Meta.model._meta.many_to_many}
    return {k: v for k, v in serializer.validated_data.items() if k not in many}


def _set_many(serializer) -> None:
    many = {f.name for f in serializer.Meta.model._meta.many_to_many}
    for name, value in serializer.validated_data.items():
        if name in many:
            getattr(serializer.instance, name).set(value)


class CommentRequestSerializer(serializers.Serializer):
    """The body of an action that takes an optional comment (submit, revise, close…)."""

    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TransitionRequestSerializer(CommentRequestSerializer):
    expected_state = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="The state the client last saw; a different current state answers 409.",
    )


class TransitionActionsMixin:
    """Exposes each transition of the viewset's workflow model as ``POST …/{id}/<transition>/``.

    The action runs ``core.workflow.perform_transition`` — the same function as the HTML
    view — so permission (403), conditions (400), another source state or a conflict (409), the log
    and the history row are the same whichever way the user comes. A viewset that needs its
    own handling for a transition defines a method of that name and it is left alone.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        model = getattr(getattr(cls, "queryset", None), "model", None)
        if model is None or not issubclass(model, WorkflowModel):
            return
        for name in model.generic_transition_names():
            if name in cls.__dict__:
                continue
            if hasattr(cls, name):
                raise ImproperlyConfigured(
                    f"Transition {model.__name__}.{name} clashes with {cls.__name__}.{name}; rename it."
                )
            setattr(cls, name, _transition_action(model, name))

    def initial(self, request, *args, **kwargs):
        # The transition's own permission is checked by perform_transition (→ 403); the
        # permission class only needs the user to see the record (→ 404 otherwise).
        model = self.queryset.model
        if getattr(self, "action", None) in getattr(model, "generic_transition_names", list)():
            self.required_action = "view"
        super().initial(request, *args, **kwargs)


def _transition_action(model, name):
    sources, target = model.transition_graph()[name]

    def run(self, request, pk=None):
        obj = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        perform_transition(
            obj,
            name,
            actor=request.user,
            comment=body.validated_data.get("comment", ""),
            expected_state=body.validated_data.get("expected_state") or None,
        )
        return Response(self.get_serializer(obj).data)

    run.__name__ = name
    run.__qualname__ = name
    run.__doc__ = (
        f"Transition `{name}` of {model._meta.verbose_name}: {', '.join(sorted(map(str, sources)))} → {target}. "
        "403 without the permission, 400 with a condition unmet, "
        "409 from another state or when the record changed meanwhile."
    )
    run = extend_schema(request=TransitionRequestSerializer, summary=f"{name} ({model.__name__})")(run)
    return action(detail=True, methods=["post"], url_path=name, url_name=name)(run)


# --- signatures ---------------------------------------------------------------------------


class SignatureSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()
    signer_name = serializers.CharField(source="signer.display_name", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "id",
            "record_type",
            "object_id",
            "document",
            "title",
            "version",
            "signer",
            "signer_name",
            "role",
            "signed_at",
            "ip_address",
            "sha256",
        ]
        read_only_fields = fields

    def get_record_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class SignerConfirmationSerializer(serializers.Serializer):
    """What every signing call carries (issue 11 §5, ``core.reauth``): the signer's password or
    a one-time code, and optionally the SHA-256 of the text the signer read."""

    password = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=256,
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="The signer's own password. Missing: 400 `reauth_required`; wrong: 400 "
        "`reauth_failed` (field `password`); each wrong one counts towards the log-in lockout "
        "(429 `throttled`) and is a security event.",
    )
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        write_only=True,
        help_text="Instead of the password: a code of the signer's two-factor device (or a backup "
        "code). Required of a user who signs in only by single sign-on.",
    )
    sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        max_length=64,
        required=False,
        write_only=True,
        help_text="The SHA-256 of the form's text as the signer read it (`GET "
        "/api/documents/<record_type>/<pk>/<code>/content/`); if the form renders differently now: 409 `stale_state`.",
    )


def signer_confirmation(request, data) -> dict:
    """The keyword arguments of ``core.signatures.sign`` from a validated signing body."""
    return {
        "password": data.get("password", ""),
        "otp": data.get("otp", ""),
        "expected_sha256": data.get("sha256", ""),
        "request": request,
    }


class SignRequestSerializer(SignerConfirmationSerializer):
    record_type = serializers.CharField(
        max_length=100, help_text="app_label.model, e.g. engagements.engagement"
    )
    object_id = serializers.IntegerField(min_value=1)
    document = serializers.CharField(max_length=60)
    role = serializers.CharField(max_length=100)


class VerificationSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    signature = serializers.IntegerField()
    document = serializers.CharField()
    version = serializers.IntegerField()
    sha256 = serializers.CharField()
    stored_content_sha256 = serializers.CharField()
    stored_content_intact = serializers.BooleanField()
    current_sha256 = serializers.CharField(allow_null=True)
    current_content_matches = serializers.BooleanField()
    is_current_version = serializers.BooleanField()
    audit_chain_intact = serializers.BooleanField(
        allow_null=True,
        help_text="The signature still equals its audit entry and that entry's link in the keyed "
        "audit chain holds; null when signed before the chain began.",
    )


class SignatureViewSet(viewsets.ReadOnlyModelViewSet):
    """Signatures on the forms of records the user can see; ``POST`` signs a form."""

    serializer_class = SignatureSerializer
    filterset_fields = ["document", "version", "object_id", "role"]
    extra_query_params = ("record_type",)

    queryset = Signature.objects.all()

    def get_queryset(self):
        rows = Signature.objects.visible_to(self.request.user).select_related("signer", "content_type")
        record_type = self.request.query_params.get("record_type", "")
        if "." in record_type:
            app_label, model = record_type.lower().split(".", 1)
            rows = rows.filter(content_type__app_label=app_label, content_type__model=model)
        return rows.order_by("pk")

    def initial(self, request, *args, **kwargs):
        # Signing is asked of the form's own rule (in core.signatures.sign), not of "add signature".
        if getattr(self, "action", None) in {"create", "verify"}:
            self.required_action = "view"
        super().initial(request, *args, **kwargs)

    @extend_schema(request=SignRequestSerializer, responses={201: SignatureSerializer})
    def create(self, request, *args, **kwargs):
        body = SignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        document = sig.get_document(data["document"])
        try:
            model = apps.get_model(data["record_type"])
        except (LookupError, ValueError):
            raise serializers.ValidationError({"record_type": [_("Unknown kind of record.")]}) from None
        if document is None or document.model is not model:
            raise serializers.ValidationError({"document": [_("This record has no such form.")]})
        obj = model._default_manager.visible_to(request.user).filter(pk=data["object_id"]).first()
        opts = model._meta
        if obj is None or not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}", obj):
            raise Http404
        signature = sig.sign(
            document, obj, actor=request.user, role=data["role"], **signer_confirmation(request, data)
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=VerificationSerializer)
    @action(detail=True, methods=["get"])
    def verify(self, request, pk=None):
        """Recompute the hash of the stored signed content and of the form as it is now."""
        signature = self.get_object()
        record = signature.record
        opts = record._meta if record is not None else None
        if record is None or not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}", record):
            raise Http404
        return Response(sig.verify(signature).as_dict())


# --- attachments and the communication log -----------------------------------------------------


def attachment_mime_types() -> list[str]:
    """The content types a download can have: one per kind of file an upload may be."""
    return sorted(
        {*attachments.BINARY.values(), *attachments.TEXT.values()}
        | {mime for _folder, mime in attachments.OFFICE.values()}
    )


class AttachedRowsViewSet(viewsets.ReadOnlyModelViewSet):
    """Rows attached to records: scoped by the record (and visibility); filter by record."""

    extra_query_params = ("record_type", "object_id")

    def get_queryset(self):
        rows = self.queryset.model.objects.visible_to(self.request.user).select_related(
            "content_type", *self.select_related
        )
        record_type = self.request.query_params.get("record_type", "")
        if "." in record_type:
            app_label, model = record_type.lower().split(".", 1)
            rows = rows.filter(content_type__app_label=app_label, content_type__model=model)
        object_id = self.request.query_params.get("object_id", "")
        if object_id.isdigit():
            rows = rows.filter(object_id=int(object_id))
        return rows.order_by("pk")

    def initial(self, request, *args, **kwargs):
        # Adding is asked of the record's own rules by the service, not of "add attachment".
        if getattr(self, "action", None) in {"create", "download"}:
            self.required_action = "view"
        super().initial(request, *args, **kwargs)

    def parent(self, data):
        try:
            model = apps.get_model(data["record_type"])
        except (LookupError, ValueError):
            raise serializers.ValidationError({"record_type": [_("Unknown kind of record.")]}) from None
        manager = model._default_manager
        obj = (
            manager.visible_to(self.request.user).filter(pk=data["object_id"]).first()
            if hasattr(manager, "visible_to")
            else None
        )
        if obj is None or not records.may_view(self.request.user, obj):
            raise Http404
        return obj


class AttachedSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()

    def get_record_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class AttachmentSerializer(AttachedSerializer):
    download_url = serializers.CharField(source="get_download_url", read_only=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by.display_name", read_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "record_type",
            "object_id",
            "original_name",
            "mime_type",
            "size",
            "sha256",
            "description",
            "visibility",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    record_type = serializers.CharField(max_length=100)
    object_id = serializers.IntegerField(min_value=1)
    file = serializers.FileField()
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class AttachmentViewSet(AttachedRowsViewSet):
    """Files on records the user can see. ``POST`` (multipart) uploads; ``download`` fetches."""

    queryset = Attachment.objects.all()
    serializer_class = AttachmentSerializer
    select_related = ("uploaded_by",)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        obj = self.parent(data)
        attachment = attachments.add_attachment(
            obj,
            data["file"],
            actor=request.user,
            description=data.get("description", ""),
            visibility=data.get("visibility"),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, mime): OpenApiTypes.BINARY for mime in attachment_mime_types()})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file itself, as a download (``Content-Disposition: attachment``, ``nosniff``), with
        the content type of its kind (the kinds an upload may be: PDF, PNG, JPEG, Office, text)."""
        if not pk or not str(pk).isdigit():
            raise Http404
        return attachment_download(request._request, int(pk))


class CommentSerializer(AttachedSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "record_type",
            "object_id",
            "body",
            "channel",
            "visibility",
            "author",
            "author_name",
            "created_at",
        ]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    record_type = serializers.CharField(max_length=100)
    object_id = serializers.IntegerField(min_value=1)
    body = serializers.CharField(max_length=10000)
    channel = serializers.ChoiceField(choices=Comment.Channel.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class CommentViewSet(AttachedRowsViewSet):
    """The communication log of records the user can see (clients: shared entries only)."""

    queryset = Comment.objects.all()
    serializer_class = CommentSerializer
    select_related = ("author",)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def create(self, request, *args, **kwargs):
        body = CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        comment = comments.add_comment(
            self.parent(data),
            actor=request.user,
            body=data["body"],
            channel=data.get("channel") or Comment.Channel.NOTE,
            visibility=data.get("visibility") or Visibility.INTERNAL,
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# --- the signed forms as PDF (the record page's "print" links) ---------------------------------


class FormDocumentSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    code = serializers.CharField()
    record_type = serializers.SerializerMethodField(help_text="app_label.model, as in the PDF path.")
    title = serializers.CharField()
    roles = serializers.DictField(child=serializers.CharField(), help_text="Signing role → label.")

    def get_record_type(self, document) -> str:
        return document.model._meta.label_lower

    def to_representation(self, document):
        data = super().to_representation(document)
        data["roles"] = {code: str(label) for code, label in document.roles.items()}
        return data


class DocumentListView(APIView):
    """The kinds of form a record can be printed and signed as: their codes and signing roles."""

    @extend_schema(responses=FormDocumentSerializer(many=True))
    def get(self, request):
        return Response(FormDocumentSerializer(sig.all_documents(), many=True).data)


class DocumentPdfView(APIView):
    """``GET /api/documents/<record_type>/<pk>/<code>/pdf/``: the record's form as a PDF.

    The same visibility as the page (a record the user may not see, an unknown form or a
    version never signed answers 404) and the same rendering (``core.pdf.render_pdf``);
    ``?version=N`` gives the text that was signed as version N."""

    @extend_schema(
        parameters=[
            OpenApiParameter("version", int, description="A signed version; default the current text.")
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, model: str, pk: int, code: str):
        unknown = set(request.query_params) - {"version"}
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [_("Unknown query parameter. Known: %(known)s.") % {"known": "version"}]
                    for name in unknown
                }
            )
        obj, document = record_and_document(request, model, pk, code)
        return pdf_response(document, obj, request.query_params.get("version"))


# --- My work, the security events and the audit chain (the twins of their pages, X-8) ---------


class WorkItemSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page of the record the item is about.")
    kind = serializers.CharField(help_text="What is to be done, in the user's language.")
    since = serializers.DateTimeField(allow_null=True)
    due = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    is_deadline = serializers.BooleanField(help_text="An open deadline rather than a stage's own item.")
    is_handoff = serializers.BooleanField(help_text="A step the engagement waits for (who holds the ball).")


class MyWorkView(APIView):
    """``GET /api/me/work/``: what the user must do next — the items of the My work page
    (``core.work.work_for``), soonest due first. Each provider shows only the user's own records,
    so the list is the page's, whichever way the user comes."""

    @extend_schema(responses=WorkItemSerializer(many=True))
    def get(self, request):
        return Response(WorkItemSerializer(work.work_for(request.user), many=True).data)


class SecurityEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    user_name = serializers.CharField(source="user.display_name", default="", read_only=True)
    actor_name = serializers.CharField(source="actor.display_name", default="", read_only=True)

    class Meta:
        model = SecurityEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "user",
            "user_name",
            "username",
            "actor",
            "actor_name",
            "ip_address",
            "user_agent",
            "at",
        ]
        read_only_fields = fields


class SecurityEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """``GET /api/security-events/``: log-ins, refused log-ins, password and token changes, newest
    first, with the security events page's filters (``kind``, ``username``, ``ip_address``).
    System administrators get every account's events, as that page; anyone else their own, as
    the "recent security events" of their profile page (``SecurityEvent.objects.visible_to``)."""

    serializer_class = SecurityEventSerializer
    filterset_class = SecurityEventFilterSet
    ordering_fields = ["at"]

    def get_queryset(self):
        # No class-level queryset: RulesPermission would ask a per-model rule neither page asks;
        # the one rule is the queryset's scope.
        return SecurityEvent.objects.visible_to(self.request.user).select_related("user", "actor")


class ChainBreakSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    seq = serializers.IntegerField(help_text="The first link that does not hold.")
    reason = serializers.ChoiceField(choices=sorted(chain.REASONS))
    message = serializers.CharField()
    model = serializers.CharField(help_text="The kind of entry at that link, when known.")
    object_pk = serializers.CharField()


class ChainReportSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    intact = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="The links checked (before the break, if any).")
    broken = ChainBreakSerializer(allow_null=True)
    head_seq = serializers.IntegerField()
    head_digest = serializers.CharField(help_text="Keep it apart from the database, e.g. with each backup.")


class AuditChainView(APIView):
    """``GET /api/audit/chain/``: the audit chain walked now (``core.chain.verify``, as the page
    and ``onestop verify``): intact, or the first link that broke. System administrators only;
    for anyone else the route is missing (404), as the page."""

    @extend_schema(
        responses={
            200: ChainReportSerializer,
            404: OpenApiResponse(ErrorResponseSerializer, description="Not a system administrator."),
        }
    )
    def get(self, request):
        if not request.user.has_perm("core.verify_audit_chain"):
            raise Http404
        return Response(ChainReportSerializer(chain.verify()).data)


class SearchHitSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    subtitle = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="The record's page (a document: its download).")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(
        source="kind.model", read_only=True, help_text='The kind of record, e.g. "contracts.Contract".'
    )
    label = serializers.CharField(read_only=True)
    hits = SearchHitSerializer(many=True, read_only=True)
    more = serializers.BooleanField(
        read_only=True, help_text="More records of this kind match than are listed."
    )
    list_url = serializers.CharField(
        read_only=True, help_text="The kind's list page filtered by the same words."
    )


class SearchView(APIView):
    """``GET /api/search/?q=…``: the global search of the header (core/search.py) — the records of
    every kind the user may see that match, best first, up to ``per_kind`` of each."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="The words, at most 100 characters."),
            OpenApiParameter("per_kind", int, description="Rows per kind, 1 to 50 (default 20)."),
        ],
        responses=SearchGroupSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        unknown = set(params) - {"q", "per_kind"}
        if unknown:
            known = "q, per_kind"
            raise serializers.ValidationError(
                {
                    name: [_("Unknown query parameter. Known: %(known)s.") % {"known": known}]
                    for name in unknown
                }
            )
        words = " ".join(params.get("q", "").split())
        if not words:
            raise serializers.ValidationError({"q": [_("Say what to search for.")]})
        if len(words) > search.QUERY_MAX:
            raise serializers.ValidationError(
                {"q": [_("Search with at most %(max)s characters.") % {"max": search.QUERY_MAX}]}
            )
        try:
            per_kind = serializers.IntegerField(min_value=1, max_value=50).run_validation(
                params.get("per_kind", search.PAGE)
            )
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"per_kind": error.detail}) from None
        groups = search.search(request.user, words, per_kind=per_kind)
        return Response(SearchGroupSerializer(groups, many=True).data)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.IntegerField(source="pk", read_only=True, help_text="The record's id.")
    label = serializers.CharField(source="choice_label", read_only=True, help_text="The record's name.")


class ChoicesView(APIView):
    """``GET /api/choices/<app_label.model>/?q=…``: at most 20 records the user may see that match
    ``q``, best first, for a type-ahead filter (core/choices.py). Only the models registered as
    choice sources answer; any other is 404."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="The words, at most 100 characters; empty: the first 20."),
        ],
        responses={
            200: ChoiceSerializer(many=True),
            400: ErrorResponseSerializer,
            404: ErrorResponseSerializer,
        },
    )
    def get(self, request, source):
        if choices.source(source) is None:
            raise Http404
        params = request.query_params
        unknown = set(params) - {"q"}
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown query parameter. Known: %(known)s.") % {"known": "q"}] for name in unknown}
            )
        words = " ".join(params.get("q", "").split())
        if len(words) > search.QUERY_MAX:
            raise serializers.ValidationError(
                {"q": [_("Search with at most %(max)s characters.") % {"max": search.QUERY_MAX}]}
            )
        rows = choices.matches(request.user, source, words)
        return Response(ChoiceSerializer(rows, many=True).data)


class SavedFilterSerializer(serializers.ModelSerializer):
    list_key = serializers.CharField(
        max_length=100, help_text="The list's model label, e.g. `engagements.engagement`."
    )
    query = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The list's query string; parameters the list's filters do not know are dropped.",
    )
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = SavedFilter
        fields = ["id", "list_key", "name", "query", "url", "created_at", "updated_at"]
        read_only_fields = ["id", "url", "created_at", "updated_at"]
        # Uniqueness per (user, list, name) is the service's: it replaces the same name's filter.
        validators: list = []
        extra_kwargs: dict = {"name": {"validators": []}}


class SavedFilterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The logged-in user's saved filters of the lists (another user's answer 404).

    `POST` saves one (a name already used for that list is replaced); `DELETE …/{id}/` deletes
    it. `?list_key=` limits the list to one list's filters."""

    queryset = SavedFilter.objects.all()
    serializer_class = SavedFilterSerializer
    filterset_fields = ["list_key"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return SavedFilter.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = saved_filters.save_filter(
            actor=self.request.user,
            list_key=data["list_key"],
            name=data["name"],
            query=data.get("query", ""),
            request=self.request,
        )

    def perform_destroy(self, instance):
        saved_filters.delete_filter(instance, actor=self.request.user)


class DocumentContentSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    document = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    content = serializers.CharField(help_text="The exact text a signature of this version signs.")
    sha256 = serializers.CharField(help_text="Its SHA-256; send it as `sha256` when signing.")
    may_sign = serializers.ListField(
        child=serializers.CharField(), help_text="The roles the user may sign in now."
    )


class DocumentContentView(APIView):
    """``GET /api/documents/<record_type>/<pk>/<code>/content/``: the exact text that signing the
    form now signs, and its SHA-256 (issue 11 §5: the signer reads what they sign). The same
    visibility as the PDF."""

    @extend_schema(responses=DocumentContentSerializer)
    def get(self, request, model: str, pk: int, code: str):
        if request.query_params:
            raise serializers.ValidationError(
                {name: [_("Unknown query parameter.")] for name in request.query_params}
            )
        obj, document = record_and_document(request, model, pk, code)
        content = document.render(obj)
        signed = sig.signed_roles(document, obj)
        return Response(
            {
                "document": document.code,
                "title": str(document.title),
                "version": document.version(obj),
                "content": content,
                "sha256": sig.sha256(content),
                "may_sign": [
                    role
                    for role in document.roles
                    if role not in signed and document.may_sign(request.user, obj, role)
                ],
            }
        )
