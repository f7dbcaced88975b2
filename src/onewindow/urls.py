from django.contrib import admin
from django.urls import include, path

from onewindow.api.urls import api, legacy_urlpatterns
from onewindow.licences import views as licences_views
from onewindow.web.views import errors as error_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("api/", include(legacy_urlpatterns())),
    path("i18n/", include("django.conf.urls.i18n")),
    path("licences/", include("onewindow.licences.urls")),
    path(".well-known/jwks.json", licences_views.jwks, name="jwks"),
    path("favicon.ico", error_views.favicon, name="favicon"),
    path("", include("onewindow.web.urls")),
]

handler400 = "onewindow.web.views.errors.bad_request"
handler404 = "onewindow.web.views.errors.not_found"
handler500 = "onewindow.web.views.errors.server_error"
handler403 = "onewindow.web.views.errors.forbidden"
