from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from onestop.accounts import api as accounts_api
from onestop.accounts import views as accounts_views
from onestop.accounts import views_signin
from onestop.contracts import api as contracts_api
from onestop.core import api as core_api
from onestop.core import metrics as core_metrics
from onestop.core import views_pages, views_search
from onestop.core.stages import COMPANY_APPS, LATER_STAGES, app_modules, installed
from onestop.engagements import api as engagements_api
from onestop.notifications import api as notifications_api
from onestop.plans import api as plans_api
from onestop.webhooks import api as webhooks_api

router = DefaultRouter()
router.register("departments", accounts_api.DepartmentViewSet)
router.register("positions", accounts_api.PositionViewSet)
router.register("users", accounts_api.UserViewSet)
router.register("client-organizations", accounts_api.ClientOrganizationViewSet)
router.register("client-contacts", accounts_api.ClientContactViewSet)
router.register("signatures", core_api.SignatureViewSet)
router.register("attachments", core_api.AttachmentViewSet)
router.register("comments", core_api.CommentViewSet)
router.register("security-events", core_api.SecurityEventViewSet, "securityevent")
router.register("saved-filters", core_api.SavedFilterViewSet)
router.register("engagements", engagements_api.EngagementViewSet)
router.register("notifications", notifications_api.NotificationViewSet)
router.register("holidays", notifications_api.HolidayViewSet)
router.register(
    r"engagements/(?P<engagement_pk>\d+)/chat", engagements_api.EngagementChatViewSet, "engagement-chat"
)
router.register("chats", engagements_api.StartChatViewSet, "chat")
router.register("incoming-mail", engagements_api.IncomingMailViewSet)
router.register("plans", plans_api.PlanViewSet)
router.register("plan-versions", plans_api.PlanVersionViewSet)
router.register("review-criteria-sets", plans_api.ReviewCriteriaSetViewSet)
router.register("signing-authorizations", contracts_api.SigningAuthorizationViewSet)
router.register("contract-templates", contracts_api.ContractTemplateViewSet)
router.register("contracts", contracts_api.ContractViewSet)
router.register("payment-instalments", contracts_api.PaymentInstalmentViewSet)
router.register("contract-copies", contracts_api.ContractCopyViewSet)

# The later stages and the company apps (core/stages.py) register their API through a ROUTES list in their api.py and their pages
# through urls.py, so adding a stage does not mean editing this file.
for _api in app_modules("api"):
    for _route in _api.ROUTES:
        router.register(*_route)
for _route in webhooks_api.ROUTES:  # webhooks: not a stage, a system administrator's tool
    router.register(*_route)

api_patterns = [
    path("me/", accounts_api.me, name="me"),
    path("me/end-other-sessions/", views_signin.end_other_sessions_api, name="end-other-sessions"),
    path("me/token/", accounts_api.regenerate_token, name="token"),
    path("me/work/", core_api.MyWorkView.as_view(), name="my-work"),
    path("audit/chain/", core_api.AuditChainView.as_view(), name="audit-chain"),
    path("schema/", views_pages.SchemaView.as_view(), name="schema"),
    path("documents/", core_api.DocumentListView.as_view(), name="documents"),
    path("search/", core_api.SearchView.as_view(), name="search"),
    path("choices/<str:source>/", core_api.ChoicesView.as_view(), name="choices"),
    path(
        "documents/<str:model>/<int:pk>/<str:code>/pdf/",
        core_api.DocumentPdfView.as_view(),
        name="document-pdf",
    ),
    path(
        "documents/<str:model>/<int:pk>/<str:code>/content/",
        core_api.DocumentContentView.as_view(),
        name="document-content",
    ),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", views_pages.healthz, name="healthz"),
    path("readyz", views_pages.readyz, name="readyz"),
    path("metrics", core_metrics.metrics, name="metrics"),  # Prometheus; token or system admin, else 404
    path("", views_pages.home, name="home"),
    path("search/", views_search.search_page, name="search"),
    path("accounts/", include("onestop.accounts.urls")),
    path("", include("onestop.notifications.urls")),
    path("", include("onestop.engagements.urls")),
    path("", include("onestop.plans.urls")),
    path("", include("onestop.contracts.urls")),
    *[path("", include(f"onestop.{app}.urls")) for app in LATER_STAGES + installed(COMPANY_APPS)],
    path("core/", include("onestop.core.urls")),
    path("webhooks/", include("onestop.webhooks.urls")),
    path("login/", views_pages.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", accounts_views.profile, name="profile"),
    path("profile/token/", accounts_views.regenerate_token, name="regenerate_token"),
    path("profile/sessions/end-others/", views_signin.end_other_sessions, name="end_other_sessions"),
    path("profile/two-factor/", views_signin.two_factor, name="two_factor"),
    path("login/verify/", views_signin.login_verify, name="login_verify"),
    path("login/sso/", views_signin.oidc_login, name="oidc_login"),
    path("login/sso/callback/", views_signin.oidc_callback, name="oidc_callback"),
    path(
        "profile/password/",
        views_pages.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-reset/",
        views_pages.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views_pages.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/reset_complete.html"),
        name="password_reset_complete",
    ),
    path("language/", accounts_views.switch_language, name="switch_language"),
    path("api/", include((api_patterns, "api"))),
    path("api/docs/", views_pages.ApiDocsView.as_view(url_name="api:schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "onestop.core.views_pages.bad_request"
handler404 = "onestop.core.views_pages.not_found"
handler403 = "onestop.core.views_pages.forbidden"
handler500 = "onestop.core.views_pages.server_error"
