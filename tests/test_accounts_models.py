"""G-1, X-3, X-4: people and organisations through the generic UI/API/permission tests."""

from onestop.accounts.models import ClientContact, ClientOrganization, Department, Position, User
from onestop.core.roles import Role
from tests.factories import (
    ClientContactFactory,
    ClientOrganizationFactory,
    DepartmentFactory,
    PositionFactory,
    UserFactory,
)
from tests.generic import ModelTestBase


class TestDepartment(ModelTestBase):
    model = Department
    manager = "hr"
    viewer = "finance"
    no_view = "client_a"

    def make_object(self, personas, index=0):
        parent = DepartmentFactory()
        return DepartmentFactory(parent=parent, head=personas["hr"])

    def create_data(self, personas):
        return {"code": "rnd-ai", "name": "人工智能組", "sort_order": 5, "description": ""}

    def update_data(self, obj, personas):
        return {"code": obj.code, "name": obj.name + "（改）", "sort_order": 7, "description": "新職責"}

    def invalid_data(self, personas):
        return {"code": "bad code with spaces", "name": "", "sort_order": -1}


class TestPosition(ModelTestBase):
    model = Position
    manager = "admin"
    viewer = "cs"
    no_view = "client_b"

    def make_object(self, personas, index=0):
        return PositionFactory()

    def create_data(self, personas):
        return {"name": "數據工程師", "department": DepartmentFactory().pk, "description": "數據平台建設"}

    def update_data(self, obj, personas):
        return {"name": obj.name + "二", "department": obj.department_id, "description": "更新"}

    def invalid_data(self, personas):
        return {"name": "", "department": 999999}


class TestClientOrganization(ModelTestBase):
    model = ClientOrganization
    manager = "cs"
    deleter = "admin"
    viewer = "finance"
    outsider = "client_b"

    def make_object(self, personas, index=0):
        # Belongs to client A: client B must not find it.
        if index == 0:
            return personas["client_a"].client_organization
        return ClientOrganizationFactory(account_manager=personas["cs"])

    def create_data(self, personas):
        return {
            "code": "NEW1",
            "name": "新客戶股份有限公司",
            "kind": "enterprise",
            "city": "杭州",
            "is_active": True,
        }

    def update_data(self, obj, personas):
        return {
            "code": obj.code,
            "name": obj.name + "（集團）",
            "kind": "state_owned",
            "city": "上海",
            "is_active": True,
        }

    def invalid_data(self, personas):
        return {"code": "", "name": "", "kind": "not-a-kind", "email": "not-an-email", "is_active": True}


class TestClientContact(ModelTestBase):
    model = ClientContact
    manager = "cs"
    viewer = "hr"
    outsider = "client_b"

    def make_object(self, personas, index=0):
        return ClientContactFactory(organization=personas["client_a"].client_organization)

    def create_data(self, personas):
        return {
            "organization": personas["client_a"].client_organization_id,
            "name": "王小明",
            "email": "wang@client.example",
        }

    def update_data(self, obj, personas):
        return {
            "organization": obj.organization_id,
            "name": obj.name,
            "mobile": "139 0000 0000",
            "email": obj.email,
        }

    def invalid_data(self, personas):
        # No way to reach the contact: refused by the model's own rule.
        return {"organization": personas["client_a"].client_organization_id, "name": "無聯繫方式"}

    invalid_field = "non_field_errors"


class TestUser(ModelTestBase):
    model = User
    manager = "hr"
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "username"

    def make_object(self, personas, index=0):
        user = UserFactory(client_organization=personas["client_a"].client_organization, roles=[Role.CLIENT])
        return user

    def create_data(self, personas):
        return {
            "username": "new.engineer",
            "full_name": "新工程師",
            "email": "new.engineer@onestop.example",
            "language": "zh-hant",
            "is_active": True,
            "roles": [self.group_id(Role.TECHNICIAN)],
            "password": "a-long-initial-Passw0rd",
        }

    def api_create_data(self, personas):
        data = self.create_data(personas)
        data["roles"] = [Role.TECHNICIAN]
        return data

    def update_data(self, obj, personas):
        return {
            "username": obj.username,
            "full_name": obj.full_name + "（改）",
            "email": obj.email,
            "language": "en",
            "is_active": True,
            "client_organization": obj.client_organization_id or "",
            "roles": [self.group_id(Role.CLIENT if obj.client_organization_id else Role.TECHNICIAN)],
        }

    def api_update_data(self, obj, personas):
        return {"full_name": obj.full_name + "（改）", "language": "en"}

    def invalid_data(self, personas):
        return {"username": "bad name!", "email": "nope", "language": "xx", "is_active": True}

    @staticmethod
    def group_id(role):
        from django.contrib.auth.models import Group

        return Group.objects.get(name=role).pk
