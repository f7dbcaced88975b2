"""Case endpoints, mounted by onewindow.api at ``/v1/cases/``: apply, the front desk, the
back office, unified output, the applicant's view and the public progress query. Each
endpoint parses input, calls one service or selector and shapes the answer; domain errors
become ``{"code", "message", "details"}`` there (cases.not-found 404, cases.conflict and
cases.invalid-transition 409, validation 422), and every route declares the ones it can
answer.

``{ref}`` is a 办件编号, or a draft's id (drafts have no number yet). One module per topic;
the schemas are all in ``schemas``.
"""

# The order of these imports is the order Django tries the URLs in: routes with a fixed
# path (``/progress``, ``/output-queue``, ``/drafts``, ``/tasks/…``) must come before
# ``/{ref}``, or ``GET /cases/progress`` would look for a case numbered "progress".
from . import applying, output, public, review, inspection  # noqa: F401, I001
from . import documents, front_desk, licence_draft, materials, reading  # noqa: F401
from . import answers  # noqa: F401
from .base import router

__all__ = ["router"]
