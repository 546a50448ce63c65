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

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[str(r) for r in extracted]))
