"""Licence pages, mounted at /licences/ by the root urlconf under their own "licences"
namespace (the QR codes print /licences/v/<证照标识>: licences.exports.VERIFY_PATH)."""

from django.urls import path

from .views import licences, licences_staff

app_name = "licences"

urlpatterns = [
    # public
    path("v/<str:identifier>", licences.verify, name="verify"),
    path("verify/", licences.verify_form, name="verify-form"),
    path("s/<str:token>/", licences.shared, name="shared"),
    path("show/<str:code>/", licences.shown, name="shown"),
    path("jwks.json", licences.jwks, name="jwks"),
    # holder wallet (portal)
    path("wallet/", licences.wallet, name="wallet"),
    path("wallet/usage/", licences.wallet_usage, name="wallet-usage"),
    path("wallet/shares/<int:share_id>/revoke", licences.wallet_share_revoke,
         name="wallet-share-revoke"),
    path("wallet/<str:identifier>/", licences.wallet_detail, name="wallet-detail"),
    path("wallet/<str:identifier>/pdf", licences.wallet_pdf, name="wallet-pdf"),
    path("wallet/<str:identifier>/vc", licences.wallet_vc, name="wallet-vc"),
    path("wallet/<str:identifier>/share", licences.wallet_share, name="wallet-share"),
    # staff workbench
    path("staff/", licences_staff.staff_home, name="staff-home"),
    path("staff/issue/", licences_staff.staff_issue, name="staff-issue"),
    path("staff/lookup/", licences_staff.staff_lookup, name="staff-lookup"),
    path("staff/l/<str:identifier>/", licences_staff.staff_detail, name="staff-detail"),
    path("staff/l/<str:identifier>/revoke", licences_staff.staff_revoke, name="staff-revoke"),
    path("staff/l/<str:identifier>/annotate", licences_staff.staff_annotate,
         name="staff-annotate"),
]
