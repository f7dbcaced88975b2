"""Checks of the deployment (``onewindow check --deploy``), run before a release: settings
whose empty default suits a demo but would put something wrong on paper in production."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

PUBLIC_BASE_URL_MISSING = Error(
    "ONEWINDOW_PUBLIC_BASE_URL is not set.",
    hint="Set it to the public address of the portal (e.g. https://zwfw.example.gov.cn): the "
         "QR codes printed on notices and licences link there. Without it they carry the "
         "host of whichever request or worker rendered them, possibly an intranet one.",
    id="onewindow.E001",
)


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs=None, **kwargs) -> list[Error]:
    value = (getattr(settings, "ONEWINDOW_PUBLIC_BASE_URL", "") or "").strip()
    if not value:
        return [PUBLIC_BASE_URL_MISSING]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Error(
            f"ONEWINDOW_PUBLIC_BASE_URL ({value!r}) is not an absolute http(s) address.",
            hint="Write the scheme and host, e.g. https://zwfw.example.gov.cn",
            id="onewindow.E002",
        )]
    return []
