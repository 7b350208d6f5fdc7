"""The product speaks Traditional and Simplified Chinese: pages, model choices and catalogues."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from violations.models import Severity, Stage

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = {
    "zh_Hant": LOCALE / "zh_Hant" / "LC_MESSAGES",
    "zh_Hans": LOCALE / "zh_Hans" / "LC_MESSAGES",
}
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[a-z_0-9.]*\}")


def _unquote(text: str) -> str:
    """The value of a .po string literal: its C escapes are Python's."""
    return ast.literal_eval(text[text.index('"') :])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a list), flags.

    Obsolete (``#~``) entries are skipped; the header (empty msgid) is returned like any other.
    """
    entries: list[dict] = []
    entry: dict = {}
    field = None

    def close():
        if "msgid" in entry:
            entries.append(entry.copy())
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            field = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if "msgid" in entry:
                close()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value = _unquote(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
            continue
        if keyword == "msgid" and "msgid" in entry:
            close()
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry.setdefault("msgstr", {})[index] = _unquote(rest)
            field = ("msgstr", index)
        else:
            entry[keyword] = _unquote(rest)
            field = (keyword, None)
    close()
    for e in entries:
        e.setdefault("flags", set())
        e["msgstr"] = [e.get("msgstr", {}).get(i, "") for i in sorted(e.get("msgstr", {0: ""}))]
    return entries


def messages(lang: str) -> list[dict]:
    return [e for e in parse_po(CATALOGUES[lang] / "django.po") if e["msgid"]]


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware activates the request's language for the thread and leaves it there:
    without this, the Chinese of these tests would leak into the next test in the process."""
    yield
    translation.deactivate()


def _get_as(client, user, path, **headers):
    assert client.login(username=user.username, password="pw")
    return client.get(path, **headers)


# --- Pages -----------------------------------------------------------------------------------


def test_case_list_in_traditional_chinese_by_cookie(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    response = _get_as(client, world.manager, "/cases/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hant"' in html
    assert "<title>案件" in html
    assert "搜尋案件編號或標題" in html
    assert "所有階段" in html
    assert ">篩選</button>" in html
    assert "0 宗案件" in html
    assert "沒有您可查看的案件。" in html
    assert ">初步核實</option>" in html
    assert ">事實認定</option>" in html
    assert "Search reference or title" not in html
    assert "All stages" not in html


def test_case_list_in_simplified_chinese_by_cookie(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = _get_as(client, world.manager, "/cases/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "<title>案件" in html
    assert "搜索案件编号或标题" in html
    assert "所有阶段" in html
    assert ">筛选</button>" in html
    assert "0 起案件" in html
    assert "没有您可查看的案件。" in html
    assert ">初步核实</option>" in html
    assert ">事实认定</option>" in html
    assert "搜尋" not in html


@pytest.mark.parametrize(
    ("accept", "lang", "search_label"),
    [
        ("zh-HK,zh;q=0.9,en;q=0.5", "zh-hant", "搜尋案件編號或標題"),
        ("zh-TW", "zh-hant", "搜尋案件編號或標題"),
        ("zh-CN,zh;q=0.9", "zh-hans", "搜索案件编号或标题"),
        ("en-GB,en;q=0.9", "en", "Search reference or title"),
    ],
)
def test_case_list_follows_the_browser_language(client, world, accept, lang, search_label):
    response = _get_as(client, world.manager, "/cases/", HTTP_ACCEPT_LANGUAGE=accept)

    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert search_label in html


def test_menu_is_translated(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    html = _get_as(client, world.manager, "/cases/").content.decode()

    assert "監督與評估" in html
    assert "違規報告" in html
    assert "登出" in html


def test_set_language_switches_the_case_list(client, world):
    assert client.login(username=world.manager.username, password="pw")

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/cases/"})

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "搜索案件编号或标题" in client.get("/cases/").content.decode()


# --- Lazy labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Preliminary verification"), ("zh-hant", "初步核實"), ("zh-hans", "初步核实")],
)
def test_stage_choice_label_is_translated_lazily(lang, expected):
    with translation.override(lang):
        assert str(Stage.VERIFICATION.label) == expected
        assert dict(Stage.choices)[Stage.VERIFICATION] == expected


def test_brief_terms_are_used():
    with translation.override("zh-hant"):
        assert str(Stage.FACT_FINDING.label) == "事實認定"
        assert str(Stage.INVESTIGATION.label) == "詳細調查"
        assert str(Stage.EFFECTIVENESS_REVIEW.label) == "效果評估"
        assert str(Severity.MAJOR.label) == "重大"
        assert translation.gettext("Supervision and evaluation (監督與評估)") == "監督與評估"
    with translation.override("zh-hans"):
        assert str(Stage.FACT_FINDING.label) == "事实认定"
        assert str(Stage.INVESTIGATION.label) == "详细调查"
        assert str(Stage.EFFECTIVENESS_REVIEW.label) == "效果评估"
        assert translation.gettext("Supervision and evaluation (監督與評估)") == "监督与评估"
        assert translation.ngettext("%(n)s case", "%(n)s cases", 2) % {"n": 2} == "2 起案件"


# --- Catalogues ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    entries = messages(lang)

    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert len(entries) > 1000
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_translations_keep_every_placeholder(lang):
    wrong = []
    for e in messages(lang):
        # Chinese has one plural form, which may follow the English singular or the plural.
        allowed = [sorted(PLACEHOLDER.findall(e[k])) for k in ("msgid", "msgid_plural") if k in e]
        for msgstr in e["msgstr"]:
            if sorted(PLACEHOLDER.findall(msgstr)) not in allowed:
                wrong.append((e["msgid"], msgstr))
    assert wrong == []


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_compiled_catalogue_matches_the_po(lang):
    """Django reads the .mo: it must be compiled from the .po as committed."""
    with open(CATALOGUES[lang] / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)

    stale = []
    for e in messages(lang):
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            got = compiled.ngettext(msgid, e["msgid_plural"], 1)
        else:
            got = compiled.gettext(msgid)
        if got != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert stale == []


def test_headings_do_not_repeat_the_chinese_term(client, world):
    """English headings carry the Chinese term in brackets; Chinese pages show it once."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    html = _get_as(client, world.manager, "/supervision/").content.decode()

    assert "<h2>监督与评估</h2>" in html
    assert "監督與評估" not in html


def test_viewflow_task_menu_is_translated(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    html = _get_as(client, world.manager, "/work/case/queue/").content.decode()

    assert "收件匣" in html
    assert "任務隊列" in html
    assert "歸檔" in html
    assert ">Inbox<" not in html
