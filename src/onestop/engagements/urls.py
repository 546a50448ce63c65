from django.urls import path

from onestop.engagements import views, views_board, views_intake

app_name = "engagements"

urlpatterns = [
    *views.EngagementViews.urls(),
    # The list as a board by stage, and the move a card's drop asks for (views_board.py).
    path("engagements/board/", views_board.engagement_board, name="engagement_board"),
    path("engagements/<int:pk>/move/<slug:to>/", views_board.engagement_move, name="engagement_move"),
    path("engagements/lookup/", views.client_lookup, name="client_lookup"),
    # INT-1: the engagement chat, starting a chat from the portal, unmatched e-mail (views_intake.py).
    path("engagements/<int:pk>/chat/", views_intake.chat_messages, name="chat_messages"),
    path("engagements/<int:pk>/chat/post/", views_intake.chat_post, name="chat_post"),
    path("engagements/chat/start/", views_intake.chat_start, name="chat_start"),
    path("engagements/mail/", views_intake.incoming_mail_list, name="incoming_mail_list"),
    path("engagements/mail/<int:pk>/assign/", views_intake.assign_mail.view, name="incomingmail_assign"),
    path("engagements/mail/<int:pk>/ignore/", views_intake.ignore_mail.view, name="incomingmail_ignore"),
]
