from django.urls import include, path

from .views import auth, portal, workbench

app_name = "web"

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", auth.citizen_login, name="citizen-login"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/", portal.account, name="account"),
    path("staff/", workbench.workbench, name="workbench"),
    path("staff/login/", auth.staff_login, name="staff-login"),
    path("staff/account/", workbench.staff_account, name="staff-account"),
    # Pages of the catalog (guides, browsing, administration) and of cases (applying,
    # front desk, progress) live in their own URL modules.
    path("", include("onewindow.web.urls_catalog")),
    path("", include("onewindow.web.urls_cases")),
    path("", include("onewindow.web.urls_approval")),
]
