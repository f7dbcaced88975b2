"""reviews (services layer) owns 好差评 reviews and rectification. May import cases and
everything below it.
"""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "onewindow.reviews"
    label = "reviews"
    default_auto_field = "django.db.models.BigAutoField"
