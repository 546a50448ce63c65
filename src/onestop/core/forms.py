"""Form helpers: Bootstrap classes on widgets, and the acting user passed to every form."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from onestop.core.services import CHANGE_REASON_LENGTH, reason_needed, reason_refusal

PEOPLE_ORDER = ("full_name", "username")


def sort_people(form):
    """Every choice of people (a user field) sorted by name, whatever queryset the form set
    (issue 11 §4: people are found by name, not by login). A sliced queryset keeps its order."""
    user_model = get_user_model()
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None or queryset.model is not user_model or queryset.query.is_sliced:
            continue
        if tuple(queryset.query.order_by) != PEOPLE_ORDER:
            field.queryset = queryset.order_by(*PEOPLE_ORDER)
    return form


def bootstrapify(form):
    """Give each widget the Bootstrap class for its kind and mark invalid fields; people
    choices sorted by name (``sort_people``)."""
    sort_people(form)
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
            widget, forms.CheckboxSelectMultiple
        ):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = ""
        else:
            css = "form-control"
        classes = set(widget.attrs.get("class", "").split()) | ({css} if css else set())
        if form.is_bound and name in form.errors:
            classes.add("is-invalid")
        widget.attrs["class"] = " ".join(sorted(c for c in classes if c))
    return form


def formfield_for(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # a typed "example.com" means https
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """A ModelForm that knows who is filling it in (for choices limited by role or scope).

    Editing a record whose model names ``reason_fields`` adds a "Reason for the change" field,
    required when one of those fields changes; the reason goes into the record's history."""

    formfield_callback = formfield_for

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Django's Textarea defaults to 10 rows; a form that wants another size says so.
            if isinstance(field.widget, forms.Textarea) and str(field.widget.attrs.get("rows")) == "10":
                field.widget.attrs["rows"] = 3
        model = type(self.instance)
        asked = [name for name in getattr(model, "reason_fields", ()) if name in self.fields]
        if self.instance.pk is not None and asked:
            self.fields["change_reason"] = forms.CharField(
                label=_("Reason for the change"),
                required=False,
                max_length=CHANGE_REASON_LENGTH,
                help_text=_("Needed when you change %(fields)s; kept in the history.")
                % {"fields": "、".join(reason_needed(model, asked))},
            )

    def clean(self):
        cleaned = super().clean()
        if "change_reason" in self.fields:
            reason = cleaned.get("change_reason", "").strip()
            needing = reason_needed(type(self.instance), self.changed_data)
            if needing and not reason:
                self.add_error("change_reason", reason_refusal(needing))
            # The user's words go into the history of the record's next save, whichever service
            # writes it (core/services.py _stamp).
            self.instance._edit_reason = reason
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CommentForm(forms.Form):
    """The input of an action that takes an optional comment (submit, revise, close…)."""

    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionButtons(forms.RadioSelect):
    """A choice made by the button pressed (pass / return, approve / reject): each choice is a
    submit button carrying the field's name and the choice's value. ``styles`` maps a value to
    a Bootstrap button style (default: the first choice primary, the others outlined)."""

    def __init__(self, attrs=None, choices=(), styles=None, icons=None):
        super().__init__(attrs, choices)
        self.styles = styles or {}
        self.icons = icons or {}
        # {choice: reason}: a choice that cannot succeed now shows disabled with its reason
        # beside it (``RecordAction.blocked`` / the transition's unmet condition).
        self.disabled: dict[str, str] = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.disabled = dict(self.disabled)
        return copy

    def render(self, name, value, attrs=None, renderer=None):
        buttons, reasons = [], []
        described = f"{(attrs or {}).get('id') or name}-blocked"
        for index, (choice, label) in enumerate(self.choices):
            if choice in ("", None):
                continue
            style = self.styles.get(choice) or ("primary" if index == 0 else "outline-secondary")
            icon = self.icons.get(choice)
            reason = self.disabled.get(str(choice), "")
            buttons.append(
                format_html(
                    '<button class="btn btn-{} btn-sm" type="submit" name="{}" value="{}"{}>{}{}</button>',
                    style,
                    name,
                    choice,
                    format_html(' disabled aria-describedby="{}"', described) if reason else "",
                    format_html('<i class="bi bi-{}"></i> ', icon) if icon else "",
                    label,
                )
            )
            if reason and reason not in reasons:
                reasons.append(reason)
        notes = (
            format_html(
                '<div class="form-text text-warning-emphasis w-100 app-blocked" id="{}">{}</div>',
                described,
                format_html_join(
                    "",
                    '<div><i class="bi bi-info-circle" aria-hidden="true"></i> {}</div>',
                    ((r,) for r in reasons),
                ),
            )
            if reasons
            else ""
        )
        return format_html(
            '<div class="d-flex flex-wrap gap-2 align-items-center">{}{}</div>',
            mark_safe("".join(buttons)),  # noqa: S308 — each button built by format_html above
            notes,
        )


class SignerConfirmationForm(forms.Form):
    """Signing means intent (``core.reauth``): the signer's password, or a one-time code of their
    two-factor device. ``methods`` (``reauth.methods_for``) says which the user can give."""

    password = forms.CharField(
        label=_("Your password"),
        required=False,
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("The password you log in with: it confirms that you sign, not someone at your screen."),
    )
    otp = forms.CharField(
        label=_("Or a code of your authenticator app"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, methods=("password",), **kwargs):
        super().__init__(*args, **kwargs)
        if "otp" not in methods:
            del self.fields["otp"]
        if "password" not in methods:
            del self.fields["password"]
            if "otp" in self.fields:
                self.fields["otp"].label = _("Code of your authenticator app")
