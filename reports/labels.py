"""Words printed in a case file, in English (gettext) with Chinese until catalogues exist.

Every label is a ``gettext_lazy`` string, so a compiled ``.po`` catalogue wins as soon as it
ships. Until then (and whenever a catalogue lacks a string) the Traditional and Simplified
Chinese below are used, so a Chinese case file never falls back to English headings.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from remediation.models import ActionKind, ActionStatus, RootCauseCategory, Verdict
from remediation.selectors import ACTION_LABELS as REMEDIATION_ACTIONS
from sanctions.models import ApprovalLevel, Decision, ProposalStatus, SanctionStatus, SanctionType
from sanctions.selectors import ACTION_LABELS as SANCTION_ACTIONS
from violations.models import (
    EvidenceKind,
    Outcome,
    ResponsibilityType,
    Severity,
    Source,
    Stage,
    TeamRole,
    VerificationOutcome,
)
from violations.selectors import ACTION_LABELS as CASE_ACTIONS

LANGUAGES = ("en", "zh-hant", "zh-hans")
_ALIASES = {
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh": "zh-hans",
}


def normalise_language(lang: str | None) -> str:
    code = (lang or "en").lower().replace("_", "-")
    code = _ALIASES.get(code, code)
    if code in LANGUAGES:
        return code
    if code.split("-")[0] == "en":
        return "en"
    raise ValueError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")


# key: (English, Traditional Chinese, Simplified Chinese)
_TEXT: dict[str, tuple] = {
    "case_file": (_("Case file"), "案卷", "案卷"),
    "reference": (_("Reference"), "案件編號", "案件编号"),
    "institution": (_("Institution"), "機構", "机构"),
    "classification": (_("Classification"), "密級", "密级"),
    "status": (_("Status"), "狀態", "状态"),
    "stage": (_("Stage"), "階段", "阶段"),
    "outcome": (_("Outcome"), "結果", "结果"),
    "severity": (_("Severity"), "嚴重程度", "严重程度"),
    "export_date": (_("Export date"), "匯出日期", "导出日期"),
    "profile": (_("Recipient profile"), "接收方類別", "接收方类别"),
    "recipient": (_("Recipient"), "接收方", "接收方"),
    "prepared_by": (_("Prepared by"), "匯出人", "导出人"),
    "times_in": (_("Times are shown in"), "時間時區", "时间时区"),
    "title": (_("Title"), "標題", "标题"),
    "description": (_("Description"), "描述", "描述"),
    "source": (_("Source"), "來源", "来源"),
    "category": (_("Category"), "違規類別", "违规类别"),
    "department": (_("Department"), "部門", "部门"),
    "occurred_at": (_("Occurred"), "發生時間", "发生时间"),
    "reported_at": (_("Reported"), "報告時間", "报告时间"),
    "ack_due": (_("Acknowledgement due"), "確認期限", "确认期限"),
    "acknowledged": (_("Acknowledged"), "已確認", "已确认"),
    "closed_at": (_("Closed"), "結案時間", "结案时间"),
    "anonymous": (_("Anonymous report"), "匿名報告", "匿名报告"),
    "reporting_person": (_("Reported by"), "報告人", "报告人"),
    "subjects": (_("Subject employees"), "涉事員工", "涉事员工"),
    "name": (_("Name"), "姓名", "姓名"),
    "staff_number": (_("Staff number"), "員工編號", "员工编号"),
    "position": (_("Position"), "職位", "职位"),
    "customer": (_("Affected customer"), "涉及客戶", "涉及客户"),
    "customer_reference": (_("Customer reference"), "客戶編號", "客户编号"),
    "contact": (_("Contact"), "聯絡方式", "联系方式"),
    "team": (_("Investigation team"), "調查小組", "调查小组"),
    "member": (_("Member"), "成員", "成员"),
    "role": (_("Role"), "角色", "角色"),
    "declaration": (_("Conflict-of-interest declaration"), "利益衝突聲明", "利益冲突声明"),
    "no_conflict": (_("No conflict"), "無利益衝突", "无利益冲突"),
    "conflict": (_("Conflict declared"), "已申報利益衝突", "已申报利益冲突"),
    "pending": (_("Pending"), "待定", "待定"),
    "verification": (_("Preliminary verification"), "初步核實", "初步核实"),
    "reason": (_("Reason"), "理由", "理由"),
    "first_evidence": (_("First evidence"), "初步證據", "初步证据"),
    "duplicate_of": (_("Duplicate of"), "重複案件", "重复案件"),
    "by": (_("By"), "經辦人", "经办人"),
    "seq": (_("No."), "序號", "序号"),
    "hash_col": ("SHA-256", "SHA-256", "SHA-256"),
    "when": (_("When"), "時間", "时间"),
    "actor": (_("Actor"), "操作人", "操作人"),
    "event": (_("Event"), "事件", "事件"),
    "file": (_("File"), "檔案", "文件"),
    "kind": (_("Kind"), "類型", "类型"),
    "collected": (_("Collected"), "收集", "收集"),
    "superseded_by": (_("Superseded by item"), "已被取代，新項目", "已被取代，新项目"),
    "size": (_("Size"), "大小", "大小"),
    "interviewee": (_("Interviewee"), "受訪人", "受访人"),
    "interviewer": (_("Interviewer"), "訪談人", "访谈人"),
    "summary_text": (_("Summary"), "摘要", "摘要"),
    "record_reviews": (_("Record reviews"), "記錄審閱", "记录审阅"),
    "record": (_("Record"), "記錄", "记录"),
    "findings_text": (_("Findings"), "發現", "发现"),
    "investigation_report": (_("Investigation report"), "調查報告", "调查报告"),
    "conclusion": (_("Conclusion"), "結論", "结论"),
    "round": (_("Round"), "輪次", "轮次"),
    "established": (_("Violation established"), "違規成立", "违规成立"),
    "nature": (_("Nature"), "定性", "定性"),
    "customer_loss": (_("Customer loss"), "客戶損失", "客户损失"),
    "legal_matter": (_("Legal matter involved"), "涉及法律事宜", "涉及法律事宜"),
    "responsible": (_("Responsible persons"), "責任人", "责任人"),
    "four_principles": (_("Four-principle attestation"), "四項原則確認", "四项原则确认"),
    "facts_clear": (_("Facts clear"), "事實清楚", "事实清楚"),
    "evidence_conclusive": (_("Evidence conclusive"), "證據確鑿", "证据确凿"),
    "characterization_accurate": (_("Characterization accurate"), "定性準確", "定性准确"),
    "handling_appropriate": (_("Handling appropriate"), "處理恰當", "处理恰当"),
    "fact_finder": (_("Fact finder"), "事實認定人", "事实认定人"),
    "proposal": (_("Sanction proposal"), "處罰建議", "处罚建议"),
    "approval_level": (_("Approval level"), "審批層級", "审批层级"),
    "justification": (_("Justification"), "理據", "理据"),
    "proposed_by": (_("Proposed by"), "建議人", "建议人"),
    "person": (_("Person"), "人員", "人员"),
    "sanction": (_("Sanction"), "處罰", "处罚"),
    "detail": (_("Detail"), "詳情", "详情"),
    "execution": (_("Execution"), "執行", "执行"),
    "approvals": (_("Approvals"), "審批", "审批"),
    "approver": (_("Approver"), "審批人", "审批人"),
    "decision": (_("Decision"), "決定", "决定"),
    "root_causes": (_("Root causes"), "根本原因", "根本原因"),
    "actions": (_("Corrective actions"), "整改措施", "整改措施"),
    "owner": (_("Owner"), "負責人", "负责人"),
    "due": (_("Due"), "期限", "期限"),
    "proof": (_("Proof"), "證明", "证明"),
    "verdict": (_("Verdict"), "評估結論", "评估结论"),
    "timeliness": (_("Timeliness"), "及時性", "及时性"),
    "pertinence": (_("Pertinence"), "針對性", "针对性"),
    "effectiveness": (_("Effectiveness"), "有效性", "有效性"),
    "reviewer": (_("Reviewer"), "評估人", "评估人"),
    "channel": (_("Channel"), "渠道", "渠道"),
    "notice": (_("Outcome notice"), "結果通知", "结果通知"),
    "apology": (_("Apology made"), "已致歉", "已致歉"),
    "compensation": (_("Compensation"), "賠償", "赔偿"),
    "paid_on": (_("Paid on"), "支付日期", "支付日期"),
    "customer_response": (_("Customer's response"), "客戶回應", "客户回应"),
    "satisfaction": (_("Satisfaction (1-5)"), "滿意度（1-5）", "满意度（1-5）"),
    "recorded_by": (_("Recorded by"), "記錄人", "记录人"),
    "regulator": (_("Regulator"), "監管部門", "监管部门"),
    "notified_at": (_("Notified"), "通報時間", "通报时间"),
    "regulator_reference": (_("Regulator reference"), "監管編號", "监管编号"),
    "outcome_notices": (_("Outcome notices"), "結果通知", "结果通知"),
    "chain": (_("Chain"), "鏈", "链"),
    "chain_length": (_("Events in the chain"), "事件數目", "事件数目"),
    "head_hash": (_("Head hash (SHA-256)"), "鏈頭雜湊值（SHA-256）", "链头哈希值（SHA-256）"),
    "integrity": (_("Integrity when exported"), "匯出時完整性", "导出时完整性"),
    "intact": (
        _("Every hash recomputed and every link checked: intact"),
        "已重新計算所有雜湊值並核對所有鏈接：完整",
        "已重新计算所有哈希值并核对所有链接：完整",
    ),
    "broken": (_("BROKEN"), "已損壞", "已损坏"),
    "chain_note": (
        _(
            "The chain head identifies the audit trail this file was built from. "
            "A recipient of the signed bundle recomputes every event hash from "
            "events.json and compares the last one with this value."
        ),
        "鏈頭雜湊值標識本案卷所依據的審計軌跡。簽名資料包的接收方可根據 events.json 重新計算每一事件的雜湊值，並將最後一個與此值比對。",
        "链头哈希值标识本案卷所依据的审计轨迹。签名数据包的接收方可根据 events.json 重新计算每一事件的哈希值，并将最后一个与此值比对。",
    ),
    "redacted_events": (
        _("Events with withheld content (checked by their links only)"),
        "含隱去內容的事件（僅核對鏈接）",
        "含隐去内容的事件（仅核对链接）",
    ),
    "none": (_("None recorded."), "沒有記錄。", "没有记录。"),
    "yes": (_("Yes"), "是", "是"),
    "no": (_("No"), "否", "否"),
    "withheld": (_("Withheld"), "已隱去", "已隐去"),
    "system": (_("System"), "系統", "系统"),
    "page": (
        _("Page %(page)s of %(pages)s"),
        "第 %(page)s 頁，共 %(pages)s 頁",
        "第 %(page)s 页，共 %(pages)s 页",
    ),
    "generated": (_("Generated"), "生成於", "生成于"),
    "left_team": (_("left the team"), "已離組", "已离组"),
    "not_included": (_("not included in this profile"), "此類別不附檔案", "此类别不附文件"),
    "profile_internal": (_("Internal"), "內部", "内部"),
    "profile_regulator": (_("Regulator"), "監管部門", "监管部门"),
    "profile_bulletin": (_("Bulletin (anonymised)"), "案例通報（匿名）", "案例通报（匿名）"),
    "class_internal": (
        _("Confidential: internal use only"),
        "機密：僅供內部使用",
        "机密：仅供内部使用",
    ),
    "class_regulator": (
        _("Confidential: for the regulator"),
        "機密：報送監管部門",
        "机密：报送监管部门",
    ),
    "class_bulletin": (
        _("Anonymised: for staff education"),
        "已匿名：供員工教育",
        "已匿名：供员工教育",
    ),
    "appeal_none": (
        _("No defence or appeal was recorded."),
        "沒有申辯或申訴記錄。",
        "没有申辩或申诉记录。",
    ),
}

_CHOICES: dict[type[models.TextChoices], dict[str, tuple[str, str]]] = {
    Severity: {
        "minor": ("輕微", "轻微"),
        "general": ("一般", "一般"),
        "serious": ("嚴重", "严重"),
        "major": ("重大", "重大"),
    },
    ResponsibilityType: {
        "direct": ("直接責任", "直接责任"),
        "managerial": ("管理責任", "管理责任"),
        "leadership": ("領導責任", "领导责任"),
    },
    Stage: {
        "verification": ("初步核實", "初步核实"),
        "team": ("調查小組", "调查小组"),
        "investigation": ("詳細調查", "详细调查"),
        "fact_finding": ("事實認定", "事实认定"),
        "sanction_proposal": ("處罰建議", "处罚建议"),
        "approval": ("審批", "审批"),
        "post_approval": ("執行與整改", "执行与整改"),
        "effectiveness_review": ("效果評估", "效果评估"),
        "closed": ("已結案", "已结案"),
    },
    Outcome: {
        "open": ("處理中", "处理中"),
        "dismissed": ("不予立案", "不予立案"),
        "duplicate": ("重複案件", "重复案件"),
        "not_established": ("違規不成立", "违规不成立"),
        "sanctioned": ("違規成立並已處理", "违规成立并已处理"),
        "cancelled": ("已取消", "已取消"),
    },
    Source: {
        "staff_report": ("員工報告", "员工报告"),
        "customer_complaint": ("客戶投訴", "客户投诉"),
        "audit_finding": ("審計發現", "审计发现"),
        "regulator_referral": ("監管轉介", "监管转介"),
        "whistleblower": ("舉報人", "举报人"),
    },
    SanctionType: {
        "warning": ("口頭或書面警告", "口头或书面警告"),
        "criticism": ("通報批評", "通报批评"),
        "suspension": ("暫停業務辦理權限", "暂停业务办理权限"),
        "deduction": ("扣除獎金或績效", "扣除奖金或绩效"),
        "demotion": ("降級或調崗", "降级或调岗"),
        "termination": ("解除勞動合同或聘用協議", "解除劳动合同或聘用协议"),
        "judicial": ("移交司法機關處理", "移交司法机关处理"),
    },
    ApprovalLevel: {
        "department": ("部門負責人", "部门负责人"),
        "compliance": ("合規負責人", "合规负责人"),
        "senior": ("高級管理層", "高级管理层"),
    },
    ProposalStatus: {
        "pending": ("待審批", "待审批"),
        "approved": ("已批准", "已批准"),
        "rejected": ("已駁回", "已驳回"),
        "returned": ("退回補充調查", "退回补充调查"),
    },
    SanctionStatus: {
        "proposed": ("已建議", "已建议"),
        "approved": ("已批准", "已批准"),
        "rejected": ("未批准", "未批准"),
        "executed": ("已執行", "已执行"),
    },
    Decision: {
        "approve": ("批准", "批准"),
        "reject": ("駁回", "驳回"),
        "return": ("退回補充調查", "退回补充调查"),
    },
    Verdict: {
        "effective": ("有效", "有效"),
        "partly": ("部分有效", "部分有效"),
        "ineffective": ("無效", "无效"),
    },
    RootCauseCategory: {
        "rules": ("制度與流程", "制度与流程"),
        "training": ("培訓與意識", "培训与意识"),
        "system": ("系統漏洞", "系统漏洞"),
        "supervision": ("監督與控制", "监督与控制"),
        "conduct": ("個人行為", "个人行为"),
        "other": ("其他", "其他"),
    },
    ActionKind: {
        "rule_revision": ("制度修訂", "制度修订"),
        "training": ("專項培訓", "专项培训"),
        "system_fix": ("系統修復", "系统修复"),
        "process_change": ("流程變更", "流程变更"),
        "new_control": ("新增控制", "新增控制"),
        "other": ("其他", "其他"),
    },
    ActionStatus: {
        "open": ("進行中", "进行中"),
        "done": ("已完成", "已完成"),
        "cancelled": ("已取消", "已取消"),
    },
    TeamRole: {"lead": ("調查組長", "调查组长"), "member": ("組員", "组员")},
    VerificationOutcome: {
        "proceed": ("進入調查", "进入调查"),
        "dismiss": ("不予立案", "不予立案"),
        "duplicate": ("重複案件", "重复案件"),
    },
    EvidenceKind: {
        "report_attachment": ("報告附件", "报告附件"),
        "document": ("文件", "文件"),
        "recording": ("錄音錄像", "录音录像"),
        "system_record": ("系統記錄", "系统记录"),
        "photo": ("照片", "照片"),
        "other": ("其他", "其他"),
    },
}

_ACTIONS_ZH: dict[str, tuple[str, str]] = {
    "case.reported": ("報告違規", "报告违规"),
    "case.acknowledged": ("已向報告人確認收悉", "已向报告人确认收悉"),
    "stage.entered": ("進入新階段", "进入新阶段"),
    "verification.completed": ("完成初步核實", "完成初步核实"),
    "team.formed": ("成立調查小組", "成立调查小组"),
    "team.declared": ("利益衝突聲明", "利益冲突声明"),
    "team.changed": ("調查小組變更", "调查小组变更"),
    "task.claimed": ("認領任務", "认领任务"),
    "task.released": ("釋放任務", "释放任务"),
    "task.reassigned": ("重新分派任務", "重新分派任务"),
    "evidence.added": ("新增證據", "新增证据"),
    "evidence.superseded": ("證據被取代", "证据被取代"),
    "evidence.downloaded": ("下載證據", "下载证据"),
    "interview.recorded": ("記錄訪談", "记录访谈"),
    "record_review.added": ("新增記錄審閱", "新增记录审阅"),
    "investigation.submitted": ("提交調查報告", "提交调查报告"),
    "facts.determined": ("完成事實認定", "完成事实认定"),
    "sanctions.proposed": ("提出處罰建議", "提出处罚建议"),
    "sanctions.approve": ("批准處罰", "批准处罚"),
    "sanctions.reject": ("駁回處罰", "驳回处罚"),
    "sanctions.return": ("退回補充調查", "退回补充调查"),
    "sanctions.executed": ("執行處罰", "执行处罚"),
    "customer.feedback": ("記錄客戶反饋", "记录客户反馈"),
    "regulator.notified": ("向監管部門報告", "向监管部门报告"),
    "remediation.planned": ("制定整改計劃", "制定整改计划"),
    "action.completed": ("完成整改措施", "完成整改措施"),
    "remediation.reviewed": ("完成效果評估", "完成效果评估"),
    "outcome.notified": ("發出結果通知", "发出结果通知"),
    "case.closed": ("結案", "结案"),
    "case.cancelled": ("案件已撤銷", "案件已撤销"),
    "case.exported": ("匯出案卷", "导出案卷"),
}
_ACTION_EN = {
    **CASE_ACTIONS,
    **SANCTION_ACTIONS,
    **REMEDIATION_ACTIONS,
    "case.exported": _("Case file exported"),
}


def _pick(english, zh: tuple[str, str] | None) -> str:
    lang = translation.get_language() or "en"
    translated = str(english)
    if lang == "en" or zh is None:
        return translated
    # A catalogue translation wins; the built-in Chinese covers strings it lacks.
    with translation.override("en"):
        source = str(english)
    if translated != source:
        return translated
    return zh[0] if lang == "zh-hant" else zh[1]


def text(key: str) -> str:
    english, hant, hans = _TEXT[key]
    return _pick(english, (hant, hans))


def choice(enum: type[models.TextChoices], code: str) -> str:
    if not code:
        return "—"
    try:
        english = enum(code).label
    except ValueError:
        return code
    return _pick(english, _CHOICES.get(enum, {}).get(code))


def action(code: str) -> str:
    english = _ACTION_EN.get(code)
    if english is None:
        # An action added after this table: "defence.recorded" reads "Defence recorded".
        return code.replace(".", " ").replace("_", " ").capitalize()
    return _pick(english, _ACTIONS_ZH.get(code))


def yes_no(value: bool) -> str:
    return text("yes") if value else text("no")
