"""Template tags for record pages: ``{% load workflow %}{% transition_buttons object %}``."""

from django import template
from django.urls import reverse

from onestop.core import attachments, comments, records
from onestop.core import signatures as sig
from onestop.core.models import Comment, Visibility
from onestop.core.workflow import available_transitions, transition_log

register = template.Library()


def model_label(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


@register.inclusion_tag("core/_transitions.html", takes_context=True)
def transition_buttons(context, obj, next_url=None):
    """The actions the current user may take on ``obj`` now, with a comment field."""
    request = context["request"]
    transitions = available_transitions(obj, request.user)
    for item in transitions:
        item.url = reverse("core:transition", args=[model_label(obj), obj.pk, item.name])
    return {
        "object": obj,
        "transitions": transitions,
        "state": obj.current_state,
        "state_label": obj.state_label(),
        "next_url": next_url or request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "any_comment_required": any(t.comment_required for t in transitions),
        # A record whose every step runs through its own forms (service-only transitions)
        # shows those forms on its page; "no action is open" would be wrong there.
        "has_generic": bool(type(obj).generic_transition_names()),
    }


@register.inclusion_tag("core/_transition_log.html")
def transition_history(obj):
    """Every state change of ``obj``: who, when, from, to and the comment."""
    field = obj.state_field()
    labels = dict(field.flatchoices)
    entries = [
        {
            "entry": entry,
            "source": labels.get(entry.source_state, entry.source_state),
            "target": labels.get(entry.state, entry.state),
        }
        for entry in transition_log(obj)
    ]
    return {"entries": entries}


@register.inclusion_tag("core/_signatures.html", takes_context=True)
def signature_panel(context, obj):
    """The forms of ``obj``: version, who signed in which role, sign buttons, PDF, verify links."""
    request = context["request"]
    documents = sig.documents_for(type(obj))
    if not documents:
        return {"forms": []}
    label = model_label(obj)
    rows = list(sig.signatures_for(obj))
    forms = []
    for document in documents:
        version = document.version(obj)
        signed = {s.role: s for s in rows if s.document == document.code and s.version == version}
        forms.append(
            {
                "document": document,
                "version": version,
                # The button's words say what is signed in which role (issue 11 §5).
                "roles": [
                    (code, text, signed.get(code), document.sign_label(code))
                    for code, text in document.roles.items()
                ],
                "complete": set(document.roles) <= set(signed),
                "may_sign": [
                    code
                    for code in document.roles
                    if code not in signed
                    and document.signed_from_panel
                    and document.may_sign(request.user, obj, code)
                ],
                "pdf_url": reverse("core:document_pdf", args=[label, obj.pk, document.code]),
                "sign_url": reverse("core:document_sign", args=[label, obj.pk, document.code]),
            }
        )
    return {"forms": forms, "csrf_token": context.get("csrf_token"), "next_url": request.get_full_path()}


@register.inclusion_tag("core/_attachments.html", takes_context=True)
def attachment_panel(context, obj):
    """Files attached to ``obj`` that the user may see, and the upload form when allowed."""
    if not getattr(obj, "allow_attachments", False):
        return {"enabled": False}
    user = context["request"].user
    return {
        "enabled": True,
        "items": list(attachments.attachments_for(obj, user)),
        "can_add": records.may_act(user, obj, "attach", "change"),
        "add_url": reverse("core:attachment_add", args=[model_label(obj), obj.pk]),
        "choose_visibility": not user.is_client,
        "visibilities": Visibility.choices,
        "max_mb": attachments.max_bytes() // (1024 * 1024),
        "accepted": attachments.accepted_kinds(),
        "csrf_token": context.get("csrf_token"),
        "next_url": context["request"].get_full_path(),
    }


@register.inclusion_tag("core/_comments.html", takes_context=True)
def comment_panel(context, obj):
    """The communication log of ``obj`` as the user may see it, and the form to add to it."""
    if not getattr(obj, "allow_comments", False):
        return {"enabled": False}
    user = context["request"].user
    return {
        "enabled": True,
        "items": list(comments.comments_for(obj, user)),
        "can_add": records.may_act(user, obj, "comment", "view"),
        "add_url": reverse("core:comment_add", args=[model_label(obj), obj.pk]),
        "staff": not user.is_client,
        "channels": Comment.Channel.choices,
        "visibilities": Visibility.choices,
        "csrf_token": context.get("csrf_token"),
        "next_url": context["request"].get_full_path(),
    }
