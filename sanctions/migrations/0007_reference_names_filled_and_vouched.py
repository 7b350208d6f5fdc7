"""Names of the shipped reference data in English, Traditional and Simplified Chinese, and
the ledger vouching for the reference rows as their columns now read.

1. Each row of departments, violation categories, sanction kinds and severity grades that
   is still intact under the digests the ledger recorded (the new columns left aside) is
   noted, before anything changes. A row changed behind the application's back gets its
   names but is not vouched for anew: ``verify_audit`` goes on naming it.
2. The names are filled in: a row still carrying the name ``0004_reference_data`` or the
   demo seed gave it ("Sales misconduct and mis-selling (銷售違規)") gets its three names;
   any other row keeps its own text as its English name, and shows it in every language
   until someone translates it in the admin.
3. Categories with the same name under the same parent (an older demo seed added
   "Customer service conduct" beside the catalogue's own) are told apart by adding the
   code to the later row's names, so ``violations/0012`` can make names unique per parent.
   Nothing is merged or deleted: cases keep the category they had.
4. The intact rows are saved with a history row giving the reason and vouched for anew by
   one ``config.migrated`` event; rows no event vouched for yet (a new database, whose
   genesis ``0005`` no longer writes) get the ``config.genesis`` event.

Steps 1 to 3 use this migration's models; step 4 the application's own service and
current models (the digest must be the one verification recomputes), for the models whose
tables already have every column the current models name. A later schema change to one of
these models must vouch for its rows again the same way.
"""

from django.db import migrations

REASON = "names in English, Traditional and Simplified Chinese (migration)"

# code: (names this row was shipped with, English, Traditional, Simplified)
KINDS = {
    "warning": ({"Oral or written warning (口頭警告 / 書面警告)"},
                "Oral or written warning", "口頭或書面警告", "口头或书面警告"),
    "criticism": ({"Notice of criticism (通報批評)"},
                  "Notice of criticism", "通報批評", "通报批评"),
    "suspension": ({"Suspension of business authority (暫停業務辦理權限)"},
                   "Suspension of business authority", "暫停業務辦理權限", "暂停业务办理权限"),
    "deduction": ({"Deduction of bonus or performance pay (扣除獎金或績效)"},
                  "Deduction of bonus or performance pay", "扣除獎金或績效", "扣除奖金或绩效"),
    "demotion": ({"Demotion or transfer (降級或調崗)"},
                 "Demotion or transfer", "降級或調崗", "降级或调岗"),
    "termination": ({"Termination of the labour contract (解除勞動合同或聘用協議)"},
                    "Termination of the labour contract", "解除勞動合同或聘用協議", "解除劳动合同或聘用协议"),
    "judicial": ({"Referral to judicial authorities (移交司法機關處理)"},
                 "Referral to judicial authorities", "移交司法機關處理", "移交司法机关处理"),
}

GRADES = {
    "minor": ({"Minor (輕微)"}, "Minor", "輕微", "轻微"),
    "general": ({"General (一般)"}, "General", "一般", "一般"),
    "serious": ({"Serious (嚴重)"}, "Serious", "嚴重", "严重"),
    "major": ({"Major (重大)"}, "Major", "重大", "重大"),
}

CATEGORIES = {
    # the catalogue of 0004_reference_data
    "SALES": ({"Sales misconduct and mis-selling (銷售違規)"},
              "Sales misconduct and mis-selling", "銷售違規及不當銷售", "销售违规及不当销售"),
    "SALES.UNSUITABLE": ({"Unsuitable product recommendation (不適當銷售)"},
                         "Unsuitable product recommendation", "推薦不適合的產品", "推荐不适合的产品"),
    "SALES.MISREP": ({"Misrepresentation of risks, fees or terms (誤導性陳述)"},
                     "Misrepresentation of risks, fees or terms", "誤導性陳述風險、費用或條款",
                     "误导性陈述风险、费用或条款"),
    "SALES.PRESSURE": ({"Pressure selling or tied selling (強制搭售)"},
                       "Pressure selling or tied selling", "強迫銷售或捆綁搭售", "强迫销售或捆绑搭售"),
    "SERVICE": ({"Customer service conduct (服務行為)"},
                "Customer service conduct", "客戶服務行為", "客户服务行为"),
    "SERVICE.CONDUCT": ({"Discourteous or improper conduct towards customers (服務態度)"},
                        "Discourteous or improper conduct towards customers",
                        "對客戶態度欠佳或行為不當", "对客户态度欠佳或行为不当"),
    "SERVICE.COMPLAINT": ({"Mishandled or suppressed complaint (投訴處理不當)"},
                          "Mishandled or suppressed complaint", "投訴處理不當或壓下投訴",
                          "投诉处理不当或压下投诉"),
    "SERVICE.REFUSAL": ({"Undue delay or refusal of service (推諉拒辦)"},
                        "Undue delay or refusal of service", "無理拖延或推諉拒辦", "无理拖延或推诿拒办"),
    "PRIVACY": ({"Customer information and privacy (客戶信息與隱私)"},
                "Customer information and privacy", "客戶資料與私隱", "客户信息与隐私"),
    "PRIVACY.DISCLOSURE": ({"Disclosure of customer information (泄露客戶信息)"},
                           "Disclosure of customer information", "洩露客戶資料", "泄露客户信息"),
    "PRIVACY.ACCESS": ({"Unauthorised access to customer records (違規查詢)"},
                       "Unauthorised access to customer records", "未經授權查閱客戶記錄",
                       "未经授权查阅客户记录"),
    "PRIVACY.HANDLING": ({"Improper handling or retention of records (資料管理不當)"},
                         "Improper handling or retention of records", "不當處理或保存記錄",
                         "不当处理或保存记录"),
    "OPERATIONS": ({"Operational and procedural breaches (操作違規)"},
                   "Operational and procedural breaches", "操作及程序違規", "操作及程序违规"),
    "OPERATIONS.KYC": ({"Customer due diligence / AML procedure breach (反洗錢及客戶盡職調查)"},
                       "Customer due diligence / AML procedure breach",
                       "違反客戶盡職審查或反洗錢程序", "违反客户尽职调查或反洗钱程序"),
    "OPERATIONS.AUTHORITY": ({"Exceeding authority or bypassing dual control (越權操作)"},
                             "Exceeding authority or bypassing dual control",
                             "越權操作或規避雙人控制", "越权操作或规避双人控制"),
    "OPERATIONS.PROCESS": ({"Deviation from operating procedures (違反操作規程)"},
                           "Deviation from operating procedures", "違反操作規程", "违反操作规程"),
    "INTEGRITY": ({"Integrity and fraud (誠信與舞弊)"},
                  "Integrity and fraud", "誠信與舞弊", "诚信与舞弊"),
    "INTEGRITY.FRAUD": ({"Fraud, embezzlement or misappropriation (詐騙、挪用)"},
                        "Fraud, embezzlement or misappropriation", "詐騙、侵吞或挪用資金",
                        "诈骗、侵吞或挪用资金"),
    "INTEGRITY.CONFLICT": ({"Undisclosed conflict of interest (利益衝突)"},
                           "Undisclosed conflict of interest", "未申報利益衝突", "未申报利益冲突"),
    "INTEGRITY.BENEFITS": ({"Improper gifts or benefits (收受不當利益)"},
                           "Improper gifts or benefits", "收受不當饋贈或利益", "收受不当馈赠或利益"),
    "INTEGRITY.FORGERY": ({"Falsified records or signatures (偽造資料)"},
                          "Falsified records or signatures", "偽造記錄或簽名", "伪造记录或签名"),
    # the categories an older demo seed added beside the catalogue
    "SALES-MIS": ({"Mis-selling of investment products"},
                  "Mis-selling of investment products", "不當銷售投資產品", "不当销售投资产品"),
    "SALES-PRESS": ({"High-pressure sales"}, "High-pressure sales", "高壓銷售", "高压销售"),
    "SERV": ({"Customer service conduct"}, "Customer service conduct", "客戶服務行為", "客户服务行为"),
    "SERV-RUDE": ({"Discourteous service"}, "Discourteous service", "服務態度欠佳", "服务态度欠佳"),
    "SERV-DELAY": ({"Unreasonable delay"}, "Unreasonable delay", "無理拖延", "无理拖延"),
    "INFO": ({"Information and privacy"}, "Information and privacy", "資料與私隱", "信息与隐私"),
    "INFO-LEAK": ({"Disclosure of customer data"},
                  "Disclosure of customer data", "洩露客戶資料", "泄露客户数据"),
    "OPS": ({"Operational and procedural"}, "Operational and procedural", "操作及程序", "操作及程序"),
    "OPS-KYC": ({"KYC procedure not followed"},
                "KYC procedure not followed", "未有遵循認識你的客戶程序", "未遵循了解你的客户程序"),
    "FRAUD": ({"Integrity and fraud"}, "Integrity and fraud", "誠信與舞弊", "诚信与舞弊"),
    "FRAUD-FORGE": ({"Forged signature"}, "Forged signature", "偽造簽名", "伪造签名"),
}

# the departments of the demo seed
DEPARTMENTS = {
    "HO": ({"Head Office"}, "Head Office", "總行", "总行"),
    "RB": ({"Retail Banking"}, "Retail Banking", "零售銀行部", "零售银行部"),
    "RB-CEN": ({"Central Branch"}, "Central Branch", "中環分行", "中环分行"),
    "RB-KLN": ({"Kowloon Branch"}, "Kowloon Branch", "九龍分行", "九龙分行"),
    "WM": ({"Wealth Management"}, "Wealth Management", "財富管理部", "财富管理部"),
    "CARD": ({"Card Services"}, "Card Services", "信用卡服務部", "信用卡服务部"),
    "OPS": ({"Operations"}, "Operations", "營運部", "运营部"),
    "CMP": ({"Compliance"}, "Compliance", "合規部", "合规部"),
    "HR": ({"Human Resources"}, "Human Resources", "人力資源部", "人力资源部"),
    "IT": ({"Information Technology"}, "Information Technology", "資訊科技部", "信息技术部"),
}

TABLES = {
    ("violations", "Department"): DEPARTMENTS,
    ("violations", "ViolationCategory"): CATEGORIES,
    ("sanctions", "SanctionKind"): KINDS,
    ("sanctions", "SeverityGrade"): GRADES,
}
LANGUAGE_COLUMNS = ("name_en", "name_zh_hant", "name_zh_hans")


def _state_before(model, obj) -> dict:
    """The row as the ledger digested it before this change: every column but the new ones."""
    from ledger.digest import record_state

    state = record_state(obj, m2m=False)
    for column in LANGUAGE_COLUMNS:
        state.pop(column, None)
    return state


def _history_digest_before(model, hist) -> str:
    from ledger.digest import sha256

    values = {f.attname: getattr(hist, f.attname) for f in model._meta.concrete_fields}
    return sha256(
        {
            "state": _state_before(model, model(**values)),
            "history_date": hist.history_date,
            "history_user": hist.history_user_id,
            "history_change_reason": hist.history_change_reason,
            "history_type": hist.history_type,
        }
    )


def _recorded() -> dict:
    """(model label, pk) -> (latest entry, {history id: digest}) from every event."""
    from ledger.models import AuditEvent

    found: dict = {}
    events = AuditEvent.objects.order_by("chain_id", "seq").values_list("records", flat=True)
    for records in events.iterator(chunk_size=2000):
        for entry in records or []:
            if not isinstance(entry, dict) or "model" not in entry or "pk" not in entry:
                continue
            latest, history = found.get((entry["model"], entry["pk"]), (None, {}))
            for hid, digest in entry.get("history") or []:
                history[hid] = digest
            found[(entry["model"], entry["pk"])] = (entry, history)
    return found


def _intact(apps, recorded) -> tuple[set, set]:
    """Rows vouched for and still matching what the ledger recorded; those that do not."""
    from ledger.digest import sha256

    intact: set = set()
    broken: set = set()
    for app_label, name in TABLES:
        model = apps.get_model(app_label, name)
        hist_model = apps.get_model(app_label, f"Historical{name}")
        label = f"{app_label}.{name.lower()}"
        for obj in model.objects.order_by("pk"):
            if (label, obj.pk) not in recorded:
                continue
            entry, history = recorded[(label, obj.pk)]
            ok = entry.get("digest") is not None and sha256(_state_before(model, obj)) == entry["digest"]
            if ok and history:
                rows = {h.history_id: h for h in hist_model.objects.filter(id=obj.pk)}
                ok = all(
                    hid in rows and _history_digest_before(model, rows[hid]) == digest
                    for hid, digest in history.items()
                )
                # No history row written behind the application's back either (vouching
                # anew notes every history row the record has).
                ok = ok and not [h for h in rows if h > min(history) and h not in history]
            (intact if ok else broken).add((label, obj.pk))
    return intact, broken


def _fill_names(apps, broken: set) -> set:
    """Give each row its three names; the (label, pk) of the rows changed. The plain column
    of a row in ``broken`` stays as found (it is evidence)."""
    changed = set()
    for (app_label, name), table in TABLES.items():
        model = apps.get_model(app_label, name)
        label = f"{app_label}.{name.lower()}"
        for obj in model.objects.order_by("pk"):
            if obj.name_en:  # named in every language already
                continue
            shipped, en, zh_hant, zh_hans = table.get(obj.code, (set(), "", "", ""))
            if obj.name in shipped:
                obj.name_en, obj.name_zh_hant, obj.name_zh_hans = en, zh_hant, zh_hans
            else:  # the institution's own text: English until translated in the admin
                obj.name_en = obj.name
            # The plain column: the default language, as a save in the application leaves it.
            if (label, obj.pk) not in broken:
                obj.name = obj.name_en
            obj.save(update_fields=["name", *LANGUAGE_COLUMNS])
            changed.add((label, obj.pk))
    return changed


def _tell_duplicates_apart(apps, broken: set) -> set:
    """Add the code to the names of a category whose name (in any language) an earlier
    sibling already has; the (label, pk) of the rows renamed. A row that no longer matches
    the audit trail is not renamed: the migration stops and says so."""
    model = apps.get_model("violations", "ViolationCategory")
    renamed = set()
    seen: set = set()
    for obj in model.objects.order_by("pk"):
        names = [(column, getattr(obj, column)) for column in LANGUAGE_COLUMNS]
        if any((obj.parent_id, column, value) in seen for column, value in names if value):
            if ("violations.violationcategory", obj.pk) in broken:
                raise RuntimeError(
                    f"Violation category #{obj.pk} ({obj.code}) has the name of an earlier "
                    "category under the same parent, and no longer matches the audit trail "
                    "(changed behind the application's back), so this migration will not "
                    "rename it. Run manage.py verify_audit, investigate, give the category a "
                    "name of its own, and migrate again."
                )
            for column, value in names:
                if value:
                    setattr(obj, column, f"{value} ({obj.code})")
            obj.name = obj.name_en
            obj.save(update_fields=["name", *LANGUAGE_COLUMNS])
            renamed.add(("violations.violationcategory", obj.pk))
        seen.update(
            (obj.parent_id, column, getattr(obj, column))
            for column in LANGUAGE_COLUMNS
            if getattr(obj, column)
        )
    return renamed


def _current_models(schema_editor) -> list:
    """Reference models whose table has every column the application's model names."""
    from ledger.digest import history_model
    from violations import audit

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        current = []
        for model in audit.reference_models():
            for m in (model, history_model(model)):
                if m._meta.db_table not in tables:
                    break
                columns = {
                    c.name for c in connection.introspection.get_table_description(cursor, m._meta.db_table)
                }
                if not {f.column for f in m._meta.concrete_fields} <= columns:
                    break
            else:
                current.append(model)
    return current


def forwards(apps, schema_editor):
    from django.conf import settings
    from django.utils import translation

    from violations import audit
    from violations.services.reference import (
        reference_genesis,
        reference_migrated,
        reference_unvouched,
    )

    intact, broken = _intact(apps, _recorded())
    _fill_names(apps, broken)
    _tell_duplicates_apart(apps, broken)
    if broken:
        print(
            "\n  These reference rows no longer match the audit trail; their names were "
            "filled in but the ledger does not vouch for them anew (run manage.py "
            "verify_audit and investigate): "
            + ", ".join(f"{label} #{pk}" for label, pk in sorted(broken))
        )
    current = _current_models(schema_editor)
    translated = {apps.get_model(*key)._meta.label_lower for key in TABLES}
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        rows = []
        for model in current:
            label = audit.record_label(model)
            pks = sorted(pk for (lab, pk) in intact if lab == label)
            rows += list(model._base_manager.filter(pk__in=pks).order_by("pk"))
        reference_migrated(rows=rows, reason=REASON)
        unvouched = reference_unvouched(among=current)
        for obj in unvouched:
            # A row with history (the older demo seed's) gets a history row with its names,
            # so that the newest one matches the row vouched for; the catalogue's rows on a
            # new database have none and get none.
            if audit.record_label(obj) in translated and obj.history.exists():
                audit.save(obj, actor=None, reason=REASON, validate=False)
        reference_genesis(rows=unvouched, reason="reference data loaded by migrations")


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0006_reference_names_in_three_languages"),
        ("violations", "0011_reference_names_in_three_languages"),
        ("remediation", "0003_actions_cancel_training_complaint_clock"),
        ("casework", "0001_flow_moves_to_casework"),
        ("security", "0001_ledger_tables_refuse_truncate_and_rewrites"),
        ("ledger", "0004_append_only_lets_unchanged_rows_through"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
