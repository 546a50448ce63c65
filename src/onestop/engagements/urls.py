from django.urls import path

from onestop.engagements import views, views_intake

app_name = "engagements"

urlpatterns = [
    *views.EngagementViews.urls(),
    path("engagements/lookup/", views.client_lookup, name="client_lookup"),
    # INT-1: the engagement chat, starting a chat from the portal, unmatched e-mail (views_intake.py).
    path("engagements/<int:pk>/chat/", views_intake.chat_messages, name="chat_messages"),
    path("engagements/<int:pk>/chat/post/", views_intake.chat_post, name="chat_post"),
    path("engagements/chat/start/", views_intake.chat_start, name="chat_start"),
    path("engagements/mail/", views_intake.incoming_mail_list, name="incoming_mail_list"),
    path("engagements/mail/<int:pk>/assign/", views_intake.assign_mail.view, name="incomingmail_assign"),
    path("engagements/mail/<int:pk>/ignore/", views_intake.ignore_mail.view, name="incomingmail_ignore"),
]
