"""X-6: the inbox, e-mail after commit, the working-day calendar, reminders and escalation."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from onestop.core.roles import Role
from onestop.notifications import calendar, services
from onestop.notifications.models import Deadline, Holiday, Notification
from tests.generic import ModelTestBase

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- inbox -----------------------------------------------------------------------------------


def test_X_6_a_notification_reaches_the_inbox_and_is_e_mailed_after_commit(
    client, cs_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(
            [cs_user], title="新諮詢待轉交", body="華信智能來電", url="/accounts/clientorganizations/"
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cs_user.email]
    assert "新諮詢待轉交" in mail.outbox[0].subject
    assert "http://" in mail.outbox[0].body  # links in mail are absolute
    assert Notification.objects.get().mail.sent_at is not None

    client.force_login(cs_user)
    home = client.get(reverse("home")).content.decode()
    assert 'data-unread="1"' in home


def test_X_6_no_message_is_left_behind_when_the_action_fails(cs_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.notify([cs_user], title="不會發出")
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_X_6_opening_a_message_marks_it_read_and_follows_its_link(client, cs_user):
    (notification,) = services.notify([cs_user], title="請查看", url="/profile/", email=False)
    client.force_login(cs_user)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == "/profile/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_message_never_redirects_outside_onestop(client, cs_user):
    (notification,) = services.notify([cs_user], title="釣魚", url="https://evil.example/", email=False)
    client.force_login(cs_user)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.url == reverse("notifications:inbox")


def test_X_3_nobody_opens_someone_elses_messages(client, cs_user, hr_user, admin_user):
    (notification,) = services.notify([cs_user], title="私人", email=False)
    for other in (hr_user, admin_user):
        client.force_login(other)
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
        assert "私人" not in client.get(reverse("notifications:inbox")).content.decode()
        api = APIClient()
        api.force_authenticate(other)
        assert api.get(f"/api/notifications/{notification.pk}/").status_code == 404
        assert api.post(f"/api/notifications/{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_X_8_the_inbox_api_lists_and_marks_messages_read(cs_user):
    services.notify([cs_user], title="一", email=False)
    services.notify([cs_user], title="二", email=False)
    api = APIClient()
    api.force_authenticate(cs_user)
    assert api.get("/api/notifications/", {"unread": "1"}).json()["count"] == 2
    first = api.get("/api/notifications/").json()["results"][0]
    assert api.post(f"/api/notifications/{first['id']}/read/").json()["read_at"] is not None
    assert api.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert api.get("/api/notifications/", {"unread": "1"}).json()["count"] == 0


def test_mark_all_read_from_the_inbox_page(client, cs_user):
    services.notify([cs_user], title="一", email=False)
    client.force_login(cs_user)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.unread().exists()


def test_the_inbox_runs_a_fixed_number_of_queries(client, cs_user):
    client.force_login(cs_user)
    for index in range(3):
        services.notify([cs_user], title=f"訊息{index}", email=False)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications:inbox")).status_code == 200
    for index in range(40):
        services.notify([cs_user], title=f"更多{index}", email=False)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("notifications:inbox")).status_code == 200
    assert len(few) == len(many)


def test_an_empty_inbox_explains_what_will_arrive(client, cs_user):
    client.force_login(cs_user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "app-empty" in page


# --- working-day calendar ------------------------------------------------------------------------


@pytest.fixture
def national_day(db):
    # 2026: 1-7 October off; Saturday 10 October is a make-up working day.
    for day in range(1, 8):
        Holiday.objects.create(date=date(2026, 10, day), name="國慶節")
    Holiday.objects.create(date=date(2026, 10, 10), name="國慶補班", kind=Holiday.Kind.WORKING_DAY)


def test_X_6_working_days_skip_weekends(db):
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_days(friday, 1) == datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_days(friday, 5) == datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI)


def test_X_6_working_days_skip_holidays_and_count_make_up_days(national_day):
    before_holiday = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    # 1-7 October off, 8 (Thu) and 9 (Fri) work, Saturday 10 is a make-up working day.
    assert calendar.add_working_days(before_holiday, 1).date() == date(2026, 10, 8)
    assert calendar.add_working_days(before_holiday, 3).date() == date(2026, 10, 10)
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), days=st.integers(0, 40))
def test_X_6_adding_n_working_days_lands_on_a_working_day_n_working_days_later(start, days):
    # No holidays here (hypothesis runs outside the per-test database): weekends only.
    moment = datetime.combine(start, datetime.min.time(), tzinfo=SHANGHAI).replace(hour=10)
    with _no_holidays():
        result = calendar.add_working_days(moment, days)
        assert calendar.working_days_between(start, result.date()) == days
        if days:
            assert result.weekday() < 5


class _no_holidays:
    def __enter__(self):
        self.original = calendar.exceptions_between
        calendar.exceptions_between = lambda start, end: {}

    def __exit__(self, *exc):
        calendar.exceptions_between = self.original


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 1, 5), -1)


class TestHoliday(ModelTestBase):
    model = Holiday
    manager = "admin"
    viewer = "cs"
    no_view = "client_a"
    invalid_field = "date"

    def make_object(self, personas, index=0):
        return Holiday.objects.create(date=date(2030, 1, 1) + timedelta(days=index), name=f"假日{index}")

    def create_data(self, personas):
        return {"date": "2031-05-01", "name": "勞動節", "kind": "holiday"}

    def update_data(self, obj, personas):
        return {"date": obj.date.isoformat(), "name": obj.name + "（調整）", "kind": "working_day"}

    def invalid_data(self, personas):
        return {"date": "31 February", "name": "", "kind": "holiday"}


# --- deadlines ------------------------------------------------------------------------------------


@pytest.fixture
def deadline(cs_user, hr_user, org_a):
    due = datetime(2026, 12, 1, 18, 0, tzinfo=SHANGHAI)
    return services.set_deadline(
        org_a, title="回覆華信的諮詢", due_at=due, responsible=cs_user, escalate_to=hr_user, actor=hr_user
    )


def test_X_6_a_reminder_goes_out_once_before_the_deadline(
    deadline, cs_user, django_capture_on_commit_callbacks
):
    two_days_before = deadline.due_at - timedelta(days=2)
    assert services.process_deadlines(two_days_before) == (0, 0)
    twelve_hours_before = deadline.due_at - timedelta(hours=12)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_deadlines(twelve_hours_before) == (1, 0)
        assert services.process_deadlines(twelve_hours_before + timedelta(minutes=10)) == (0, 0)
    (reminder,) = Notification.objects.filter(recipient=cs_user)
    assert reminder.level == Notification.Level.REMINDER
    assert "回覆華信的諮詢" in reminder.title
    assert len(mail.outbox) == 1


def test_X_6_an_overdue_deadline_escalates_once_to_the_responsible_and_their_superior(
    deadline, cs_user, hr_user
):
    late = deadline.due_at + timedelta(hours=1)
    assert services.process_deadlines(late) == (0, 1)
    assert services.process_deadlines(late + timedelta(hours=1)) == (0, 0)
    escalations = Notification.objects.filter(level=Notification.Level.ESCALATION)
    assert {n.recipient for n in escalations} == {cs_user, hr_user}


def test_X_6_a_closed_deadline_stays_silent(deadline, org_a, cs_user):
    assert services.close_deadlines(org_a, actor=cs_user) == 1
    assert services.process_deadlines(deadline.due_at + timedelta(days=3)) == (0, 0)
    assert not Notification.objects.exists()


def test_moving_a_deadline_rearms_its_reminder(deadline, cs_user, hr_user, org_a):
    services.process_deadlines(deadline.due_at - timedelta(hours=1))
    moved = services.set_deadline(
        org_a,
        title="回覆華信的諮詢",
        due_at=deadline.due_at + timedelta(days=3),
        responsible=cs_user,
        actor=hr_user,
    )
    assert moved.pk == deadline.pk
    assert moved.reminded_at is None
    assert Deadline.objects.get(pk=deadline.pk).history.count() == 2


def test_a_deadline_of_a_kind_is_found_by_its_kind_and_person_whatever_its_titles_language(
    cs_user, hr_user, org_a
):
    due = datetime(2026, 12, 1, 18, 0, tzinfo=SHANGHAI)
    first = services.set_deadline(
        org_a, kind="plan_review", title="評審 v1（林）", due_at=due, responsible=cs_user, actor=hr_user
    )
    other_person = services.set_deadline(
        org_a, kind="plan_review", title="評審 v1（何）", due_at=due, responsible=hr_user, actor=hr_user
    )
    moved = services.set_deadline(
        org_a,
        kind="plan_review",
        title="Review v1 (Lin)",
        due_at=due + timedelta(days=1),
        responsible=cs_user,
        actor=hr_user,
    )
    assert moved.pk == first.pk and moved.title == "Review v1 (Lin)" and other_person.pk != first.pk
    assert services.close_deadlines(org_a, kind="plan_review", responsible=cs_user, actor=hr_user) == 1
    assert services.close_deadlines(org_a, kind="legal_review", actor=hr_user) == 0
    assert list(Deadline.objects.open().values_list("pk", flat=True)) == [other_person.pk]


def test_deleting_a_record_closes_its_deadlines_so_nobody_is_escalated_about_it(cs_user, hr_user):
    from onestop.accounts.models import Department

    department = Department.objects.create(name="臨時專案組", code="temp-group")
    due = datetime(2026, 12, 1, 18, 0, tzinfo=SHANGHAI)
    kept = services.set_deadline(
        Department.objects.create(name="品質部", code="qa-keep"),
        title="保留",
        due_at=due,
        responsible=cs_user,
        escalate_to=hr_user,
    )
    services.set_deadline(
        department, title="整理交付物", due_at=due, responsible=cs_user, escalate_to=hr_user
    )
    department.delete()
    assert list(Deadline.objects.open()) == [kept]
    assert services.process_deadlines(due + timedelta(days=1)) == (0, 1)  # only the one kept


def test_X_6_open_deadlines_are_listed_on_my_work(client, deadline, cs_user):
    client.force_login(cs_user)
    page = client.get(reverse("home")).content.decode()
    assert "回覆華信的諮詢" in page


def test_naive_deadlines_are_refused(cs_user, org_a):
    with pytest.raises(ValueError):
        services.set_deadline(org_a, title="x", due_at=datetime(2026, 12, 1), responsible=cs_user)


def test_X_6_a_deadline_on_a_record_its_stage_lists_shows_once_with_the_deadline_on_it():
    from datetime import UTC, datetime

    from onestop.core.work import WorkItem, merge_deadlines

    due = datetime(2026, 12, 1, 10, tzinfo=UTC)
    own = WorkItem(title="Decide on change #2", url="/changerequests/2/", kind="Change request to decide")
    deadline = WorkItem(
        title="Decide", url="/changerequests/2/", kind="Overdue", due=due, overdue=True, is_deadline=True
    )
    other = WorkItem(title="Answer notice", url="/notices/9/", kind="Deadline", due=due, is_deadline=True)
    items = merge_deadlines([own, deadline, other])
    assert items == [own, other]
    assert own.due == due and own.overdue


def test_an_action_message_says_handled_once_its_work_is_done(client, cs_user, make_user, org_a, english):
    """X-6: "please assess" is "Action needed" while the request waits for the technician, and
    "Handled" once it was assessed — the inbox does not keep asking for work already done."""
    from onestop.accounts.models import ClientContact
    from onestop.engagements import services as engagement_services
    from onestop.engagements.models import Channel

    technician = make_user(Role.TECHNICIAN, username="tech.inbox", full_name="技術員")
    contact = ClientContact.objects.create(organization=org_a, name="陳建華", email="chen@a.example")
    engagement = engagement_services.record_inquiry(
        actor=cs_user,
        client=org_a,
        contact=contact,
        channel=Channel.PHONE,
        subject="數據採集",
        need="採集",
        technician=technician,
    ).engagement
    client.force_login(technician)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Please assess" in page and "Action needed" in page and "data-handled" not in page
    engagement_services.assess_out_of_scope(
        engagement, actor=technician, reason="不屬本公司服務範疇", suggestions="建議洽詢設備廠商"
    )
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Please assess" in page and "data-handled" in page and "Action needed" not in page
