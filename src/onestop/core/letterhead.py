"""The letterhead printed on every form's PDF (issue 11 §6): company name, address, telephone,
tax ID, logo, the caption of the seal box and a footer line.

One row (``core.Letterhead``), edited by system administrators on System › Letterhead.
``update_letterhead`` is the only writer: validated, in one transaction, attributed to the
administrator in the history. The logo is kept in the database (PNG or JPEG, at most 512 KB)
and printed as a ``data:`` URL, so the PDF renderer still fetches nothing from outside.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from onestop.core import services
from onestop.core.forms import bootstrapify
from onestop.core.models import Letterhead

LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def read_logo(upload) -> tuple[bytes, str]:
    """The bytes and MIME type of an uploaded logo; ValidationError when it is not a small PNG
    or JPEG image."""
    if upload.size > Letterhead.LOGO_MAX_BYTES:
        raise forms.ValidationError(_("The logo may be at most 512 KB."))
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except Exception:  # any decoding failure means: not an image we accept
        kind = None
    if kind not in LOGO_TYPES:
        raise forms.ValidationError(_("Upload the logo as a PNG or JPEG image."))
    return data, LOGO_TYPES[kind]


class LetterheadForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("PNG or JPEG, at most 512 KB; printed at the top left of every form."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    class Meta:
        model = Letterhead
        fields = ["company_name", "address", "phone", "tax_id", "seal_caption", "footer_note"]

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if upload:
            self.logo = read_logo(upload)
        return upload


@transaction.atomic
def update_letterhead(
    letterhead: Letterhead, *, actor, logo: tuple[bytes, str] | None = None, remove_logo=False
):
    """Save the letterhead (the singleton row) as ``actor``; ``logo`` replaces the logo."""
    letterhead.pk = Letterhead.SINGLETON_PK
    if remove_logo:
        letterhead.logo, letterhead.logo_type = b"", ""
    if logo is not None:
        letterhead.logo, letterhead.logo_type = logo
    return services.save(letterhead, actor=actor, reason=_("Letterhead changed"))


@login_required
def letterhead_edit(request):
    if not request.user.has_perm("core.change_letterhead"):
        raise PermissionDenied
    letterhead = Letterhead.current()
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=letterhead)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            update_letterhead(
                form.save(commit=False),
                actor=request.user,
                logo=getattr(form, "logo", None),
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
            messages.success(request, _("The letterhead was saved. Every form prints with it from now on."))
            return HttpResponseRedirect(reverse("core:letterhead"))
        status = 400
    bootstrapify(form)
    return render(request, "core/letterhead.html", {"form": form, "letterhead": letterhead}, status=status)
