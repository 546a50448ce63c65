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

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.core import services
from onestop.core.drf import django_errors_to_dict
from onestop.core.models import Attachment, Comment, Signature, Visibility


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that validates with the model's own rules (``full_clean``)."""

    full_clean_exclude: tuple[str, ...] = ()  # fields the serializer sets another way (e.g. a password)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
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

    def perform_create(self, serializer):
        serializer.instance = services.save(
            serializer.Meta.model(**_plain(serializer)), actor=self.request.user
        )
        _set_many(serializer)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in _plain(serializer).items():
            setattr(instance, name, value)
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
        from onestop.core.workflow import WorkflowModel

        model = getattr(getattr(cls, "queryset", None), "model", None)
        if model is None or not issubclass(model, WorkflowModel):
            return
        for name in model.generic_transition_names():
            if name in cls.__dict__:
                continue
            if hasattr(cls, name):
                from django.core.exceptions import ImproperlyConfigured

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
    from drf_spectacular.utils import extend_schema
    from rest_framework.decorators import action
    from rest_framework.response import Response

    from onestop.core.workflow import perform_transition

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


class SignRequestSerializer(serializers.Serializer):
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
        from django.apps import apps
        from django.http import Http404
        from rest_framework import status
        from rest_framework.response import Response

        from onestop.core import signatures as sig

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
            document, obj, actor=request.user, role=data["role"], ip_address=sig.client_ip(request)
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=VerificationSerializer)
    @action(detail=True, methods=["get"])
    def verify(self, request, pk=None):
        """Recompute the hash of the stored signed content and of the form as it is now."""
        from rest_framework.response import Response

        from onestop.core import signatures as sig

        signature = self.get_object()
        record = signature.record
        opts = record._meta if record is not None else None
        if record is None or not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}", record):
            from django.http import Http404

            raise Http404
        return Response(sig.verify(signature).as_dict())


# --- attachments and the communication log -----------------------------------------------------


def attachment_mime_types() -> list[str]:
    """The content types a download can have: one per kind of file an upload may be."""
    from onestop.core import attachments

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
        from django.apps import apps
        from django.http import Http404

        from onestop.core import records

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
        from rest_framework import status
        from rest_framework.response import Response

        from onestop.core import attachments

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
        from django.http import Http404

        from onestop.core.views_records import attachment_download

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
        from rest_framework import status
        from rest_framework.response import Response

        from onestop.core import comments

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
        from onestop.core import signatures as sig

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
        from onestop.core.views_documents import pdf_response, record_and_document

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
