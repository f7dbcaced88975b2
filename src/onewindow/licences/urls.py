"""Licence pages, mounted at /licences/ (the QR codes print /licences/v/<证照标识>)."""

from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    # public
    path("v/<str:identifier>", views.verify, name="verify"),
    path("verify/", views.verify_form, name="verify-form"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("jwks.json", views.jwks, name="jwks"),
    # holder wallet (portal)
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/usage/", views.wallet_usage, name="wallet-usage"),
    path("wallet/shares/<int:share_id>/revoke", views.wallet_share_revoke,
         name="wallet-share-revoke"),
    path("wallet/<str:identifier>/", views.wallet_detail, name="wallet-detail"),
    path("wallet/<str:identifier>/pdf", views.wallet_pdf, name="wallet-pdf"),
    path("wallet/<str:identifier>/vc", views.wallet_vc, name="wallet-vc"),
    path("wallet/<str:identifier>/share", views.wallet_share, name="wallet-share"),
    # staff workbench
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/issue/", views.staff_issue, name="staff-issue"),
    path("staff/lookup/", views.staff_lookup, name="staff-lookup"),
    path("staff/l/<str:identifier>/", views.staff_detail, name="staff-detail"),
    path("staff/l/<str:identifier>/revoke", views.staff_revoke, name="staff-revoke"),
    path("staff/l/<str:identifier>/annotate", views.staff_annotate, name="staff-annotate"),
]
