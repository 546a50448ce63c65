"""Pages of satisfaction surveys and complaints (EXT-2): thin views over feedback.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from onestop.core.actions import RecordAction, calls, visible_record
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews
from onestop.feedback import exports, filters, forms, results, services
from onestop.feedback.aspects import ASPECTS
from onestop.feedback.models import Complaint, Survey
from onestop.feedback.states import OPEN

# --- surveys -----------------------------------------------------------------------------------


class SurveyViews(ObjectViews):
    model = Survey
    filterset_class = filters.SurveyFilterSet
    form_class = forms.SurveyForm
    add_form_class = forms.SurveyInviteForm
    icon = "emoji-smile"
    allow_delete = False
    detail_template = "feedback/survey_detail.html"
    list_select_related = ("engagement", "client", "project_lead", "department")
    detail_select_related = ("engagement", "client", "project", "project_lead", "department", "answered_by")
    columns = [
        Column("engagement", link=True, sort="engagement__code"),
        Column("client", sort="client__name"),
        Column("project_lead", sort="project_lead__full_name"),
        Column("department", sort="department__name"),
        Column("invited_at"),
        Column("respond_by"),
        Column("status_label", sort="answered_at"),
        Column("average_score", sort=False),
        Column("would_recommend"),
    ]
    detail_fields = [
        "engagement",
        "project",
        "client",
        "project_lead",
        "department",
        "invited_at",
        "respond_by",
        "reminded_at",
        "status_label",
        "answered_at",
        "answered_by",
        "answered_via",
    ]
    default_sort = "-invited_at"

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is None:
            data = form.cleaned_data
            return services.invite(data["engagement"], actor=actor, respond_by=data.get("respond_by"))
        return services.change_answer_date(obj, actor=actor, respond_by=form.cleaned_data["respond_by"])


def _invalid_link(request, expired: bool):
    return render(request, "feedback/survey_link_invalid.html", {"expired": expired}, status=403)


def survey_answer(request, pk):
    """The survey form: through the signed link of the invitation, or for a logged-in client user."""
    token = request.GET.get("t") or request.POST.get("t") or ""
    actor = request.user if request.user.is_authenticated else None
    via_link = False
    if token:
        try:
            survey = services.survey_for_token(pk, token)
        except services.InvalidLink as exc:
            return _invalid_link(request, exc.expired)
        via_link = not (actor and actor.has_perm("feedback.answer_survey", survey))
    else:
        if actor is None:
            return redirect_to_login(request.get_full_path())
        survey = visible_record(
            request,
            Survey,
            pk,
            queryset=Survey.objects.visible_to(actor).select_related("engagement", "project"),
        )
        if survey.answered_at is None and not actor.has_perm("feedback.answer_survey", survey):
            raise PermissionDenied
    context = {"survey": survey, "token": token, "aspects": ASPECTS}
    if survey.answered_at is not None:
        if request.method == "POST":
            messages.error(request, services._already_answered(survey).message)
            return render(request, "feedback/survey_answered.html", context, status=400)
        return render(request, "feedback/survey_answered.html", context)
    form = forms.SurveyAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer(
                    survey,
                    scores=form.scores(),
                    would_recommend=form.cleaned_data["would_recommend"],
                    comment=form.cleaned_data["comment"],
                    actor=actor,
                    via_link=via_link,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except DomainError as exc:
                messages.error(request, exc.message)
                survey.refresh_from_db()
                return render(request, "feedback/survey_answered.html", context, status=exc.status_code)
            else:
                return render(request, "feedback/survey_thanks.html", context)
        status = 400
    bootstrapify(form)
    context["form"] = form
    return render(request, "feedback/survey_answer.html", context, status=status)


def _result_surveys(request):
    if not request.user.has_perm("feedback.results_survey"):
        raise PermissionDenied
    surveys = Survey.objects.visible_to(request.user)
    filterset = filters.SurveyFilterSet(request.GET or None, queryset=surveys, request=request)
    if filterset.is_bound and filterset.is_valid():
        surveys = filterset.qs
    return surveys, filterset


@login_required
def results_page(request):
    surveys, filterset = _result_surveys(request)
    bootstrapify(filterset.form)
    grouping = request.GET.get("by", results.DEFAULT_GROUPING)
    if grouping not in results.GROUPINGS:
        grouping = results.DEFAULT_GROUPING
    query = request.GET.copy()
    query.pop("by", None)
    context = {
        "grouping": grouping,
        "groupings": [(key, label) for key, (label, _keys) in results.GROUPINGS.items()],
        "group_label": results.GROUPINGS[grouping][0],
        "rows": results.grouped(surveys, grouping),
        "total": results.totals(surveys),
        "comments": results.latest_comments(surveys),
        "aspects": ASPECTS,
        "filterset": filterset,
        "querystring": query.urlencode(),
    }
    return render(request, "feedback/results.html", context)


@login_required
def results_export(request, fmt):
    surveys, _filterset = _result_surveys(request)
    if fmt == "csv":
        return exports.results_csv(surveys)
    if fmt == "xlsx":
        return exports.results_xlsx(surveys)
    raise Http404


# --- complaints --------------------------------------------------------------------------------


class ComplaintViews(ObjectViews):
    model = Complaint
    filterset_class = filters.ComplaintFilterSet
    form_class = forms.ComplaintEditForm
    add_form_class = forms.ComplaintForm
    icon = "megaphone"
    allow_delete = False
    detail_template = "feedback/complaint_detail.html"
    list_select_related = ("client", "engagement", "handler")
    detail_select_related = (
        "client",
        "engagement",
        "handler",
        "filed_by",
        "assigned_by",
        "responded_by",
        "closed_by",
    )
    columns = [
        Column("code", link=True),
        Column("subject", link=True),
        Column("client", sort="client__name"),
        Column("engagement", sort="engagement__code"),
        Column("state"),
        Column("handler", sort="handler__full_name"),
        Column("due_at"),
        Column("filed_at"),
    ]
    detail_fields = [
        "code",
        "client",
        "engagement",
        "channel",
        "state",
        "filed_by",
        "filed_at",
        "handler",
        "due_at",
        "description",
    ]
    default_sort = "-filed_at"

    actions = [
        RecordAction(
            "assign",
            calls(services.assign),
            form=forms.AssignForm,
            initial=lambda complaint, user: {"handler": complaint.handler_id},
            transition="assign",
            success=gettext_lazy("The handler was assigned and notified."),
        ),
        RecordAction(
            "respond",
            calls(services.respond),
            form=forms.RespondForm,
            transition="respond",
            success=gettext_lazy("The response was sent to the client, who is asked to confirm."),
        ),
        RecordAction(
            "confirm",
            calls(services.confirm),
            form=forms.ConfirmForm,
            transition="confirm",
            success=gettext_lazy("Thank you. The complaint is closed."),
        ),
        RecordAction(
            "reopen",
            calls(services.reopen),
            form=forms.ReopenForm,
            transition="reopen",
            success=gettext_lazy("The complaint was reopened; the handler will answer again."),
        ),
        RecordAction(
            "close",
            calls(services.close_unconfirmed),
            form=forms.CloseForm,
            transition="close_unconfirmed",
            success=gettext_lazy("The complaint was closed with your note."),
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        close_from = services.may_close_unconfirmed_from(obj)
        return {
            # The transitions all need this page's own forms (service-only): no generic
            # buttons; the template shows the transition log itself.
            "is_workflow": False,
            "is_open": obj.state in OPEN,
            "close_from": close_from,
            "may_close": close_from is not None and close_from <= timezone.now(),
        }

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        data = form.cleaned_data
        if obj is None:
            try:
                return services.file_complaint(
                    actor=actor,
                    client=data.get("client"),
                    engagement=data.get("engagement"),
                    channel=data.get("channel"),
                    subject=data["subject"],
                    description=data["description"],
                    attachment=data.get("attachment"),
                )
            except DomainError as exc:
                if exc.field == "file":
                    exc.field = "attachment"
                raise
        return services.edit_complaint(
            obj,
            actor=actor,
            engagement=data.get("engagement"),
            subject=data["subject"],
            description=data["description"],
        )
