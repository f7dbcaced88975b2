"""The start-up check of the audit log (every command that runs system checks, so
``onewindow serve`` and ``onewindow worker`` refuse to start): checkpoints can be signed.

Without the key every worker's ``seal_task`` failed every few seconds and nothing was
sealed; the lag alert fired only minutes later. A host that names
``ONEWINDOW_AUDIT_PUBLIC_KEY_FILE`` only verifies: there the missing key is a warning.
"""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import keys


@register("audit")
def check_signing_key(app_configs=None, **kwargs) -> list[Error | Warning]:
    problem = keys.signing_key_problem()
    if problem is None:
        return []
    hint = ("Provision the Ed25519 private key (PKCS#8 PEM, mode 0600) at "
            "ONEWINDOW_AUDIT_SIGNING_KEY_FILE, or on a development machine set "
            "ONEWINDOW_AUDIT_CREATE_KEY=1 so it is created on first use.")
    if getattr(settings, "ONEWINDOW_AUDIT_PUBLIC_KEY_FILE", ""):
        return [Warning(
            f"{problem} This host can verify checkpoints but not seal them.",
            hint=hint + " Run no workers on a host that only verifies.",
            id="onewindow.W030",
        )]
    return [Error(problem, hint=hint, id="onewindow.E030")]
