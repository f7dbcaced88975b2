"""Pages of the service-item catalog: the public guides (portal) and item administration
(workbench). Included from web/urls.py, so the names live in the "web" namespace."""

from django.urls import path

from .views import catalog_admin, catalog_public

urlpatterns = [
    # Portal: browse and search, one service guide (?version=N for a historic one).
    path("items/", catalog_public.item_list, name="items"),
    path("items/<str:code>/", catalog_public.item_guide, name="item-guide"),
    # Workbench: catalog administration, scoped to the admin's organisations.
    path("staff/catalog/", catalog_admin.item_list, name="catalog-admin"),
    path("staff/catalog/new/", catalog_admin.item_new, name="catalog-item-new"),
    path("staff/catalog/export/", catalog_admin.catalog_export, name="catalog-export"),
    path("staff/catalog/import/", catalog_admin.catalog_import, name="catalog-import"),
    path("staff/catalog/<str:code>/", catalog_admin.item_detail, name="catalog-item"),
    path("staff/catalog/<str:code>/edit/", catalog_admin.item_edit, name="catalog-item-edit"),
    path("staff/catalog/<str:code>/versions/<int:number>/", catalog_admin.item_version,
         name="catalog-item-version"),
    path("staff/catalog/<str:code>/<str:operation>/", catalog_admin.item_operation,
         name="catalog-item-operation"),
]
