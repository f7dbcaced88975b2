"""One table of material files and one 容缺 bound: the element, the model field, the
storage folder and the download address of each kind come from ``material_files``; the
longest 容缺 period is the same number for the elements and the database."""

import pytest
from django.db import IntegrityError, transaction

from onewindow.catalog.elements import MATERIAL_FIELDS, MAX_TOLERANCE_SUPPLY_DAYS
from onewindow.catalog.errors import ElementsInvalid, FileNotFound
from onewindow.catalog.material_files import KINDS, content_type_of
from onewindow.catalog.models import Material
from onewindow.catalog.selectors import material_file

from .factories import make_item

pytestmark = pytest.mark.django_db


# What each kind must be, written out here: the code derives the element, the model field
# and the address from the table, so comparing them with the table itself proves nothing.
EXPECTED = [  # element (and model field), download slug, label, storage folder
    ("blank_form", "blank-form", "空白表格", "catalog/forms/"),
    ("sample_file", "sample", "示例样表", "catalog/samples/"),
]


def test_each_file_kind_is_one_element_one_field_and_one_address(now):
    assert [(k.element, k.slug, k.label, k.folder) for k in KINDS] == EXPECTED
    for element, _slug, label, folder in EXPECTED:
        assert MATERIAL_FIELDS[element].label == label
        field = Material._meta.get_field(element)
        assert (field.upload_to, field.verbose_name) == (folder, label)
    item = make_item(now=now)
    for _element, slug, label, _folder in EXPECTED:
        with pytest.raises(FileNotFound) as missing:
            material_file(code=item.code, version=1, position=1, kind=slug)
        assert missing.value.message == f"该材料没有{label}。"
    with pytest.raises(FileNotFound):
        material_file(code=item.code, version=1, position=1, kind="blank_form")
    assert content_type_of("catalog/forms/x.DOCX").endswith("wordprocessingml.document")


def test_a_file_element_may_only_name_its_own_folder(now):
    for kind in KINDS:
        other = next(k for k in KINDS if k is not kind)
        materials = [{"name": "申请表", "original_count": 1,
                      kind.element: f"{other.folder}form.pdf"}]
        with pytest.raises(ElementsInvalid) as refused:
            make_item(now=now, materials=materials)
        assert refused.value.details == {
            f"materials.0.{kind.element}": f"{kind.label}应为上传的文件。"}


def test_the_tolerance_bound_is_the_same_for_the_elements_and_the_database(now):
    longest = MAX_TOLERANCE_SUPPLY_DAYS
    row = {"name": "场所证明", "original_count": 1, "tolerance_allowed": True}
    with pytest.raises(ElementsInvalid) as refused:
        make_item(now=now, materials=[{**row, "tolerance_supply_days": longest + 1}])
    assert "materials.0.tolerance_supply_days" in refused.value.details
    item = make_item(now=now, publish=False,
                     materials=[{**row, "tolerance_supply_days": longest}])
    draft = item.versions.get()
    material = draft.materials.get()
    assert material.tolerance_supply_days == longest
    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.filter(pk=material.pk).update(tolerance_supply_days=longest + 1)
