import factory
from django.contrib.auth.models import Group

from onestop.accounts.models import ClientContact, ClientOrganization, Department, Position, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"部門{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    name = factory.Sequence(lambda n: f"崗位{n}")
    department = factory.SubFactory(DepartmentFactory)


class ClientOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientOrganization

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"客戶單位{n}有限公司")
    city = "上海"


class ClientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    organization = factory.SubFactory(ClientOrganizationFactory)
    name = factory.Sequence(lambda n: f"聯繫人{n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


# Every factory user's password; signing a form asks the signer for it (core.reauth).
PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用戶{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@onestop.example")
    password = factory.django.Password(PASSWORD)

    # A test's people are built cheaply — most tests make a dozen or more: without the audit
    # entries of their own making (an entry for the account and another for its roles, each
    # linked into the tamper-evident chain, were two thirds of the queries). What a test does
    # to them afterwards is audited as in production; tests of account changes go through
    # accounts.services, which writes the entries.
    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class(*args, **kwargs)
        user.skip_history_when_saving = True
        try:
            user.save()
        finally:
            del user.skip_history_when_saving
        return user

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            groups = Group.objects.filter(name__in=[str(r) for r in extracted])
            # Rows of the through table directly: no m2m_changed, so no second audit entry.
            through = User.groups.through
            through.objects.bulk_create([through(user_id=self.pk, group_id=group.pk) for group in groups])
