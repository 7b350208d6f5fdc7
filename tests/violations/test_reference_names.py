"""Reference data (categories, departments, sanction kinds, severity grades) is named in the
reader's language on pages, in the case file, and is edited per language in the admin under
audit; category choices are grouped by parent, without duplicates."""

import random
import shutil
import subprocess

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation

from casework.engine import open_task
from demo.management.commands.seed_demo import Command as SeedDemo
from ledger.models import AuditEvent
from reports.casefile import Profile, casefile_document
from reports.selectors import build_casefile
from reports.services import casefile_export
from sanctions.models import SanctionKind, SeverityGrade
from tests.sanctions.conftest import to_propose
from violations import audit
from violations.forms import FactsForm, ReportForm
from violations.models import Department, ViolationCategory
from violations.services.reference import reference_save

NAMES = {
    # language: (world category, world department, catalogue category, sanction kind)
    "en": (
        "Mis-selling",
        "Retail Banking",
        "Unsuitable product recommendation",
        "Oral or written warning",
    ),
    "zh-hant": ("不當銷售", "零售銀行部", "推薦不適合的產品", "口頭或書面警告"),
    "zh-hans": ("不当销售", "零售银行部", "推荐不适合的产品", "口头或书面警告"),
}


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the request's language active for the thread."""
    yield
    translation.deactivate()


def client_in(user, lang) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.mark.parametrize("lang", ["zh-hant", "zh-hans", "en"])
def test_case_page_and_report_form_name_reference_data_in_the_readers_language(walk, world, lang):
    category, department, catalogue_category, _kind = NAMES[lang]
    case = walk.report()
    client = client_in(world.manager, lang)

    page = client.get(f"/cases/{case.reference}/").content.decode()
    form = client_in(world.reporter, lang).get("/work/case/report/").content.decode()

    assert f"<dd>{category}</dd>" in page
    assert f"{world.dept.code} {department}" in page
    assert f">{catalogue_category}</option>" in form
    others = [names[0] for code, names in NAMES.items() if code != lang]
    assert not any(f"<dd>{other}</dd>" in page for other in others)


@pytest.mark.parametrize("lang", ["zh-hant", "zh-hans"])
def test_sanction_kinds_and_severity_are_named_in_the_readers_language(walk, world, lang):
    kind = NAMES[lang][3]
    case = to_propose(walk)
    task = open_task(case, "propose")
    client = client_in(world.officer, lang)
    base = f"/work/case/{task.process_id}/{task.flow_task.name}/{task.pk}"
    assert client.post(f"{base}/assign/").status_code == 302

    page = client.get(f"{base}/execute/").content.decode()

    assert kind in page
    assert "Oral or written warning" not in page
    with translation.override(lang):
        assert SeverityGrade.objects.get(code="major").name == "重大"
        assert (
            SanctionKind.objects.get(code="judicial").name
            == {
                "zh-hant": "移交司法機關處理",
                "zh-hans": "移交司法机关处理",
            }[lang]
        )


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "casefile.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["zh-hant", "zh-hans", "en"])
def test_case_file_pdf_names_category_and_department_in_its_language(walk, world, lang, tmp_path):
    category, department, *_ = NAMES[lang]
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case, severity="general")

    # The page's language is not the file's: the file is in the language asked for.
    with translation.override("en" if lang != "en" else "zh-hant"):
        text = pdftotext(casefile_export(case=case, actor=None, lang=lang), tmp_path)

    squeezed = "".join(category.split())
    assert text.count(squeezed) >= 2  # the summary and the finding
    assert "".join(department.split()) in text
    assert text.count(f"{squeezed}({world.category.code})") == 1
    for other, names in NAMES.items():
        if other != lang:
            assert f"{''.join(names[0].split())}({world.category.code})" not in text, other


def test_case_json_carries_every_language_beside_the_english_name(walk, world):
    case = walk.report()
    with translation.override("zh-hans"):
        document = casefile_document(build_casefile(case, profile=Profile.INTERNAL, viewer=None))

    summary = document["summary"]
    assert summary["category_name"] == "Mis-selling"
    assert summary["category_names"] == {
        "en": "Mis-selling",
        "zh-hant": "不當銷售",
        "zh-hans": "不当销售",
    }
    assert summary["department"] == "Retail Banking"
    assert summary["department_names"]["zh-hant"] == "零售銀行部"
    assert document["parties"]["subjects"][0]["department_names"]["zh-hans"] == "零售银行部"


def test_a_name_not_yet_translated_falls_back_to_the_other_script_then_english(db):
    dept = Department.objects.create(code="NEW", name_en="New desk", name_zh_hant="新部門")
    with translation.override("zh-hans"):
        assert Department.objects.get(pk=dept.pk).name == "新部門"
    dept.name_zh_hant = None
    dept.save()
    with translation.override("zh-hans"):
        assert Department.objects.get(pk=dept.pk).name == "New desk"


def test_a_translation_edited_in_the_admin_is_history_and_an_audit_event(world):
    admin = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    category = ViolationCategory.objects.get(code="SALES.PRESSURE")
    client = client_in(admin, "zh-hant")
    url = f"/admin/violations/violationcategory/{category.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert {"name_en", "name_zh_hant", "name_zh_hans"} <= set(form.fields)
    assert "name" not in form.fields
    data = {f: ("" if form[f].value() is None else form[f].value()) for f in form.fields}
    data["parent"] = category.parent_id
    data["active"] = "on"
    data["name_zh_hant"] = "強迫銷售"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    category.refresh_from_db()
    assert (category.name_en, category.name_zh_hant, category.name_zh_hans) == (
        "Pressure selling or tied selling",
        "強迫銷售",
        "强迫销售或捆绑搭售",
    )
    newest = category.history.latest()
    assert (newest.history_user, newest.name_zh_hant, newest.name_en) == (
        admin,
        "強迫銷售",
        "Pressure selling or tied selling",
    )
    event = AuditEvent.objects.filter(chain__key=audit.chain_key(), action="config.changed").latest(
        "pk"
    )
    assert event.actor == admin
    assert event.payload["fields"] == ["name_zh_hant"]
    assert [(r["model"], r["pk"]) for r in event.records] == [
        ("violations.violationcategory", category.pk)
    ]
    assert newest.history_id in [hid for hid, _digest in event.records[0]["history"]]
    # The digest is the same whoever reads it, in whatever language.
    for lang in ("en", "zh-hant", "zh-hans"):
        with translation.override(lang):
            assert audit.verify().intact, lang
    with translation.override("zh-hant"):
        assert ViolationCategory.objects.get(pk=category.pk).name == "強迫銷售"


def test_a_translation_changed_behind_the_admin_is_caught(world):
    category = ViolationCategory.objects.get(code="SALES.PRESSURE")
    ViolationCategory.objects.filter(pk=category.pk).update(name_zh_hans="篡改")

    problems = [str(p) for p in audit.verify().problems]

    assert problems[0].startswith(f"violations.violationcategory #{category.pk}: row differs")


def test_every_language_is_required_when_a_person_edits_the_name(world):
    admin = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    dept = Department(code="TRADE", name_en="Trade Finance")
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        reference_save(obj=dept, actor=admin)

    assert set(refused.value.message_dict) == {"name_zh_hant", "name_zh_hans"}
    assert not Department.objects.filter(code="TRADE").exists()
    assert AuditEvent.objects.count() == events


def _options(field):
    """(group label or None, value, label) of every option of a choice field."""
    out = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            out += [(value, str(v), str(lab)) for v, lab in label]
        elif value != "":
            out.append((None, str(value), str(label)))
    return out


@pytest.mark.parametrize("form_class", [ReportForm, FactsForm])
def test_category_choices_are_grouped_by_parent_without_duplicates(world, form_class):
    with translation.override("zh-hant"):
        options = _options(form_class().fields["category"])

    active = ViolationCategory.objects.filter(active=True)
    assert sorted(int(v) for _g, v, _l in options) == sorted(active.values_list("pk", flat=True))
    assert len({v for _g, v, _l in options}) == len(options)
    assert len({(g, label) for g, label, _v in [(g, lab, v) for g, v, lab in options]}) == len(
        options
    )
    groups = {g for g, _v, _l in options if g is not None}
    assert groups == {
        "銷售違規及不當銷售",
        "客戶服務行為",
        "客戶資料與私隱",
        "操作及程序違規",
        "誠信與舞弊",
    }
    sales = [label for g, _v, label in options if g == "銷售違規及不當銷售"]
    assert sales == [
        "銷售違規及不當銷售（未細分）",
        "誤導性陳述風險、費用或條款",
        "強迫銷售或捆綁搭售",
        "推薦不適合的產品",
    ]
    # A top-level category without sub-categories is an option of its own.
    assert (None, str(world.category.pk), "不當銷售") in options


def test_category_choices_leave_out_inactive_categories(world):
    ViolationCategory.objects.filter(code="SALES.MISREP").update(active=False)
    options = _options(ReportForm().fields["category"])
    assert "Misrepresentation of risks, fees or terms" not in [label for *_x, label in options]


def test_a_category_name_is_unique_under_its_parent_in_every_language(world):
    admin = get_user_model().objects.create_superuser("root", "root@bank.example", "pw")
    parent = ViolationCategory.objects.get(code="SALES")
    twin = ViolationCategory(
        code="SALES.TWIN",
        parent=parent,
        name_en="Something else",
        name_zh_hant="強迫銷售或捆綁搭售",  # SALES.PRESSURE's
        name_zh_hans="别的",
    )
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        reference_save(obj=twin, actor=admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        ViolationCategory.objects.create(
            code="SALES.TWIN2", parent=parent, name_en="Pressure selling or tied selling"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ViolationCategory.objects.create(code="TOP.TWIN", name_en="Integrity and fraud")

    assert refused.value.messages == ["This parent already has a category of that name."]
    assert not ViolationCategory.objects.filter(code__contains="TWIN").exists()
    assert AuditEvent.objects.count() == events
    # The same name under another parent is another category.
    other = ViolationCategory(
        code="SERVICE.PRESSURE",
        parent=ViolationCategory.objects.get(code="SERVICE"),
        name_en="Pressure selling or tied selling",
        name_zh_hant="強迫銷售或捆綁搭售",
        name_zh_hans="强迫销售或捆绑搭售",
    )
    reference_save(obj=other, actor=admin)


def test_the_demo_organisation_is_made_once(db):
    seed = SeedDemo()
    made = seed.organisation(random.Random(2026))
    counts = (Department.objects.count(), ViolationCategory.objects.count())

    again = seed.organisation(random.Random(2026))

    assert len(made) == 10 + 42  # departments and staff
    assert again == []
    assert (Department.objects.count(), ViolationCategory.objects.count()) == counts == (10, 21)
    with translation.override("zh-hans"):
        assert Department.objects.get(code="RB-CEN").name == "中环分行"
