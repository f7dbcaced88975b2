"""hall (registries layer) owns service-hall queues, windows on duty and appointments. May
import identity and the kernel.
"""

from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "onewindow.hall"
    label = "hall"
    default_auto_field = "django.db.models.BigAutoField"
