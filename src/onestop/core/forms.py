"""Form helpers: Bootstrap classes on widgets, and the acting user passed to every form."""

from __future__ import annotations

from django import forms
from django.db import models


def bootstrapify(form):
    """Give each widget the Bootstrap class for its kind and mark invalid fields."""
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
    """A ModelForm that knows who is filling it in (for choices limited by role or scope)."""

    formfield_callback = formfield_for

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Django's Textarea defaults to 10 rows; a form that wants another size says so.
            if isinstance(field.widget, forms.Textarea) and str(field.widget.attrs.get("rows")) == "10":
                field.widget.attrs["rows"] = 3


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
