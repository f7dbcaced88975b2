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
    # The form editor (before the operations, whose one segment would take "form").
    path("staff/catalog/<str:code>/form/", catalog_admin.form_edit, name="catalog-form"),
    path("staff/catalog/<str:code>/form/field/", catalog_admin.form_field,
         name="catalog-form-field-new"),
    path("staff/catalog/<str:code>/form/field/<str:key>/", catalog_admin.form_field,
         name="catalog-form-field"),
    path("staff/catalog/<str:code>/form/page/", catalog_admin.form_page,
         name="catalog-form-page"),
    path("staff/catalog/<str:code>/form/page/<str:key>/", catalog_admin.form_page,
         name="catalog-form-page-edit"),
    path("staff/catalog/<str:code>/form/rule/", catalog_admin.form_rule,
         name="catalog-form-rule"),
    path("staff/catalog/<str:code>/form/copy/", catalog_admin.form_copy,
         name="catalog-form-copy"),
    path("staff/catalog/<str:code>/form/preview/", catalog_admin.form_preview,
         name="catalog-form-preview"),
    path("staff/catalog/<str:code>/<str:operation>/", catalog_admin.item_operation,
         name="catalog-item-operation"),
]
