"""Structured application forms (一表申请, ADR 0031): the definition an item version
carries in ``ImplementationVersion.form``, its checks, its JSON Schema and the validation
of an applicant's answers.

Everything here is pure: no database, no request. The catalog runs
:func:`check_definition` when a version is published; cases runs
:func:`validate_answers` when a draft's answers are saved and again, in full, at
submission; the API exports :func:`json_schema`; the pages walk :func:`visible_pages`.

Conditions (``show_if`` of a page or a field, the ``rules``) use the kernel's safe
expression language (``onewindow.common.expressions``) over the answers by field key.
A condition that cannot be evaluated (a field not answered yet, a value of a type that
cannot be compared) is false: the page or field stays hidden, the rule is not checked
yet. Messages are Chinese and lazy (the reader's language when rendered).
"""

from .answers import (
    UNKNOWN_PAGE_MESSAGE,
    AnswersInvalid,
    from_strings,
    hidden_keys,
    is_empty,
    validate_answers,
    visible_answers,
    visible_pages,
)
from .definition import (
    FieldDef,
    FormDefinition,
    Page,
    Problem,
    Rule,
    check_definition,
    definition_for,
    generic_definition,
    parse_definition,
)
from .schema import display_value, json_schema, localised
from .tables import (
    ACCOUNT_SOURCES,
    CODE_TABLES,
    FIELD_TYPES,
    LEGAL_SOURCES,
    LICENCE_SOURCE,
    Option,
    region_name,
)

__all__ = [
    "ACCOUNT_SOURCES", "CODE_TABLES", "FIELD_TYPES", "LEGAL_SOURCES", "LICENCE_SOURCE",
    "UNKNOWN_PAGE_MESSAGE", "AnswersInvalid", "FieldDef", "FormDefinition", "Option", "Page",
    "Problem", "Rule",
    "check_definition", "definition_for", "display_value", "from_strings", "generic_definition",
    "hidden_keys", "is_empty", "json_schema", "localised", "parse_definition", "region_name",
    "validate_answers", "visible_answers", "visible_pages",
]
