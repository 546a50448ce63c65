from django.urls import path

from onestop.engagements import views

app_name = "engagements"

urlpatterns = [
    *[pattern for pattern in views.EngagementViews.urls() if pattern.name != "engagement_detail"],
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/forward/", views.forward, name="forward"),
    path("engagements/<int:pk>/assess/", views.assess, name="assess"),
    path("engagements/<int:pk>/propose/", views.propose, name="propose"),
    path("engagements/<int:pk>/rounds/<int:round>/accept/", views.accept, name="accept"),
    path("engagements/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("engagements/lookup/", views.client_lookup, name="client_lookup"),
]

# INT-1: the engagement chat, starting a chat from the portal, unmatched e-mail (views_intake.py).
from onestop.engagements import views_intake  # noqa: E402

urlpatterns += [
    path("engagements/<int:pk>/chat/", views_intake.chat_messages, name="chat_messages"),
    path("engagements/<int:pk>/chat/post/", views_intake.chat_post, name="chat_post"),
    path("engagements/chat/start/", views_intake.chat_start, name="chat_start"),
    path("engagements/mail/", views_intake.incoming_mail_list, name="incoming_mail_list"),
    path("engagements/mail/<int:pk>/assign/", views_intake.incoming_mail_assign, name="incoming_mail_assign"),
    path("engagements/mail/<int:pk>/ignore/", views_intake.incoming_mail_ignore, name="incoming_mail_ignore"),
]
