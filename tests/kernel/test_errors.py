"""ApplicationError.as_dict(): messages marked with gettext_lazy leave as plain str, in the
language active when the error is rendered (ADR 0015)."""

import json

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from onewindow.common.errors import ValidationFailed


def test_as_dict_renders_lazy_message_and_details_in_the_active_language():
    message = _("有效期截止日期不能早于起始日期。")
    error = ValidationFailed(message, code="licences.invalid-validity",
                             details={"valid_until": message, "line": 3,
                                      "problems": [{"message": _("分页游标无效。")}]})
    with translation.override("en"):
        english = error.as_dict()
    with translation.override("zh-hans"):
        chinese = error.as_dict()

    assert english == {
        "code": "licences.invalid-validity",
        "message": "The end of validity cannot be earlier than its start.",
        "details": {"valid_until": "The end of validity cannot be earlier than its start.",
                    "problems": [{"message": "The paging cursor is not valid."}], "line": 3},
    }
    assert chinese["message"] == "有效期截止日期不能早于起始日期。"
    assert chinese["details"]["problems"] == [{"message": "分页游标无效。"}]
    # Plain values all the way down: what the API, audit rows and logs can store.
    assert type(english["message"]) is str
    assert type(english["details"]["valid_until"]) is str
    json.dumps(english)
