from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from onestop.accounts import clientdata, filters, forms, services, twofactor
from onestop.accounts.models import (
    PASSWORD_MAX_LENGTH,
    ClientContact,
    ClientOrganization,
    Department,
    Position,
    User,
)
from onestop.core.actions import service_action
from onestop.core.api import ModelSerializer, ObjectViewSet
from onestop.core.roles import Role


class DepartmentSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "head",
            "description",
            "sort_order",
            "created_at",
            "updated_at",
        ]


class PositionSerializer(ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "name", "department", "description", "created_at", "updated_at"]


class ClientOrganizationSerializer(ModelSerializer):
    class Meta:
        model = ClientOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "industry",
            "tax_id",
            "address",
            "city",
            "phone",
            "email",
            "website",
            "account_manager",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]


class ClientContactSerializer(ModelSerializer):
    class Meta:
        model = ClientContact
        fields = [
            "id",
            "organization",
            "name",
            "title",
            "phone",
            "mobile",
            "email",
            "is_primary",
            "notes",
            "created_at",
            "updated_at",
        ]

    def validate_organization(self, organization):
        # A foreign key must point at a record the user may see, or it is "not found".
        request = self.context["request"]
        if not ClientOrganization.objects.visible_to(request.user).filter(pk=organization.pk).exists():
            raise serializers.ValidationError(_("Choose an organisation you may see."))
        return organization


class UserSerializer(ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, help_text="Role codes."
    )
    password = serializers.CharField(
        write_only=True, required=False, max_length=PASSWORD_MAX_LENGTH, style={"input_type": "password"}
    )
    full_clean_exclude = ("password",)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "phone",
            "employee_no",
            "department",
            "position",
            "client_organization",
            "language",
            "is_active",
            "roles",
            "password",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["last_login", "date_joined"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(group.name for group in instance.groups.all())
        return data

    def validate(self, attrs):
        roles = attrs.pop("roles", None)
        password = attrs.pop("password", None)
        attrs = super().validate(attrs)
        client = attrs.get("client_organization", getattr(self.instance, "client_organization", None))
        if roles is not None:
            if client is not None and set(roles) - {Role.CLIENT}:
                raise serializers.ValidationError(
                    {"roles": [_("A client user can only have the client role.")]}
                )
            if client is None and Role.CLIENT in roles:
                raise serializers.ValidationError(
                    {"client_organization": ["A client user needs a client organisation."]}
                )
        if self.instance is None and not password:
            raise serializers.ValidationError(
                {"password": [_("Set an initial password for the new account.")]}
            )
        if password:
            try:
                validate_password(password, self.instance)
            except Exception as exc:
                raise serializers.ValidationError(
                    {"password": list(getattr(exc, "messages", [str(exc)]))}
                ) from None
        attrs["roles"] = roles
        attrs["password"] = password
        return attrs


class DepartmentViewSet(ObjectViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = filters.DepartmentFilterSet
    ordering_fields = ["name", "code", "sort_order"]


class PositionViewSet(ObjectViewSet):
    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_class = filters.PositionFilterSet
    ordering_fields = ["name"]


class ClientOrganizationViewSet(ObjectViewSet):
    queryset = ClientOrganization.objects.all()
    serializer_class = ClientOrganizationSerializer
    filterset_class = filters.ClientOrganizationFilterSet
    ordering_fields = ["name", "code", "city"]

    @extend_schema(
        request=None,
        responses={(200, "application/zip"): bytes},
        summary="Everything about the client organisation as a ZIP (system administrators and management)",
    )
    @action(detail=True, methods=["post"], required_action="view")
    def export(self, request, pk=None):
        """The page's "Download everything about this client": the same ZIP, recorded the same way
        (accounts/clientdata.py). 404 for an organisation the user does not see, 403 for one they
        see but may not export."""
        return clientdata.export_response(self.get_object(), actor=request.user)


class ClientContactViewSet(ObjectViewSet):
    queryset = ClientContact.objects.all()
    serializer_class = ClientContactSerializer
    filterset_class = filters.ClientContactFilterSet
    ordering_fields = ["name"]


class UserViewSet(ObjectViewSet):
    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = filters.UserFilterSet
    prefetch_related = ("groups",)
    ordering_fields = ["username", "full_name"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_user(
            actor=self.request.user, password=data.pop("password"), roles=data.pop("roles") or (), **data
        )

    # A system administrator removes a user's two-factor log-in (a lost phone); issue 17.
    two_factor_reset = service_action(
        lambda user, request, data: twofactor.reset(user, actor=request.user, request=request),
        url_path="two-factor-reset",
        summary="Reset the user's two-factor log-in and log out their sessions (system administrators).",
    )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        services.update_user(
            serializer.instance,
            actor=self.request.user,
            password=data.pop("password", None),
            roles=data.pop("roles", None),
            **data,
        )


class MeSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)  # "" when the user has none
    phone = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    client_organization = serializers.IntegerField(allow_null=True)


class ProfileSerializer(serializers.Serializer):
    """What the profile page lets users change about themselves (``PATCH /api/me/``)."""

    full_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    language = serializers.CharField(max_length=10, required=False)


def me_answer(user) -> dict:
    return MeSerializer(
        {
            "id": user.pk,
            "username": user.username,
            "full_name": user.display_name,
            "email": user.email,
            "phone": user.phone,
            "language": user.language,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "client_organization": user.client_organization_id,
        }
    ).data


@extend_schema(methods=["GET"], responses=MeSerializer)
@extend_schema(methods=["PATCH"], request=ProfileSerializer, responses=MeSerializer)
@api_view(["GET", "PATCH"])
@permission_classes([IsAuthenticated])
def me(request):
    """The logged-in user, with role codes: what a client of the API needs first. ``PATCH``
    changes one's own name, e-mail, phone and language, as the profile page does (the same form
    and service, so the same checks)."""
    user = request.user
    if request.method == "PATCH":
        body = ProfileSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        current = {name: getattr(user, name) for name in forms.ProfileForm.Meta.fields}
        form = forms.ProfileForm({**current, **body.validated_data}, instance=user, user=user)
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        services.update_profile(form, actor=user)
    return Response(me_answer(user))


class TokenSerializer(serializers.Serializer):
    response_only = True  # describes an answer, never parses a request (tests/test_meta_bounds.py)
    token = serializers.CharField(help_text="The new token; the old one no longer works.")


@extend_schema(request=None, responses=TokenSerializer)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def regenerate_token(request):
    """A new API token for the user, as the profile page's button: the old token stops working at
    once (rotating it needs no browser). Only for users who may use a token (403 otherwise)."""
    if not request.user.has_perm("accounts.use_api_token"):
        raise PermissionDenied
    token = services.regenerate_api_token(actor=request.user, request=request._request)
    return Response(TokenSerializer({"token": token.key}).data)
