from django.contrib import admin
from django.urls import include, path

from onewindow.api.urls import api, legacy_urlpatterns
from onewindow.web.views import errors as error_views
from onewindow.web.views import licences as licence_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("api/", include(legacy_urlpatterns())),
    path("i18n/", include("django.conf.urls.i18n")),
    path("licences/", include("onewindow.web.urls_licences")),
    path(".well-known/jwks.json", licence_views.jwks, name="jwks"),
    path("favicon.ico", error_views.favicon, name="favicon"),
    path("", include("onewindow.web.urls")),
]

handler400 = "onewindow.web.views.errors.bad_request"
handler404 = "onewindow.web.views.errors.not_found"
handler500 = "onewindow.web.views.errors.server_error"
handler403 = "onewindow.web.views.errors.forbidden"
