"""licences (registries layer) owns the electronic licence library (电子证照库): licence
types, licences with their GB/T 36904 identifier and GB/T 36903 metadata, versions and
annotations, issuing organisations' signing keys (electronic seal, JWKS, VC-JWT, QR),
verification, the holder wallet with share links, and the usage log (用证记录).

May import identity and the kernel (common, audit, events, documents, workdays). Never
catalog (same row) nor cases/workflow (above): cases calls ``services.licence_issue`` to
issue and ``selectors.valid_licence_for`` for 免证办.
"""

from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    label = "licences"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "电子证照库"

    def ready(self):
        from . import permissions  # noqa: F401 - registers the licences.* actions
