"""documents (kernel layer) owns rendering of notices, decisions and licences as PDF
(WeasyPrint, CJK fonts, QR codes). May import common.
"""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onewindow.documents"
    label = "documents"
    default_auto_field = "django.db.models.BigAutoField"
