"""The pages' words in Chinese and English: the `lang` cookie (the switch on every page), else
the browser's Accept-Language, else Chinese. Times are shown in REPAIRDESK_TIMEZONE."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import Request

from workflows.clock_text import wall_clock

LANGUAGES = ("zh", "en")
LANG_COOKIE = "repairdesk_lang"

WORDS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "app": ("维修服务台", "repairdesk"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "token": ("令牌", "Token"),
    "token_help": (
        "请输入管理员为您生成的令牌。",
        "Paste the token your administrator made for you.",
    ),
    "bad_token": ("令牌无效、已过期或已撤销。", "The token is unknown, expired or revoked."),
    "not_allowed": ("您的角色无权查看此页面。", "Your role may not see this page."),
    "times_in": ("时间均为", "Times in"),
    "my_cases": ("我的维修单", "My cases"),
    "no_cases": ("没有进行中的维修单。", "No open cases."),
    "open_cases": ("进行中的维修单", "Open cases"),
    "open_case": ("新建维修单", "Open a case"),
    "customer": ("客户", "Customer"),
    "equipment": ("设备", "Equipment"),
    "pick": ("请选择", "Choose"),
    "fault": ("故障描述", "Fault"),
    "onsite": ("需要上门", "On site requested"),
    "emergency": ("紧急", "Emergency"),
    "contact_name": ("联系人", "Contact name"),
    "contact_phone": ("联系电话", "Contact phone"),
    "contact_email": ("联系邮箱", "Contact email"),
    "contact_language": ("通知语言", "Letters in"),
    "status": ("状态", "Status"),
    "deadlines": ("期限", "Deadlines"),
    "reply": ("答复", "Reply"),
    "onsite_due": ("到场", "On site"),
    "explanation": ("书面说明", "Explanation"),
    "met": ("已完成", "met"),
    "breached": ("已超期", "BREACHED"),
    "left": ("剩余", "left"),
    "overdue": ("已超期", "overdue by"),
    "arrived": ("已到达现场", "Arrived"),
    "repair_report": ("维修报告", "Repair report"),
    "cause": ("原因", "Cause"),
    "parts": ("零件", "Parts"),
    "part_no": ("零件号", "Part no."),
    "description": ("说明", "Description"),
    "qty": ("数量", "Qty"),
    "unit_price": ("单价", "Unit price"),
    "labour_hours": ("工时(小时)", "Labour hours"),
    "stopped_at": ("设备停机时间", "Equipment stopped at"),
    "restored_at": ("设备恢复时间", "Equipment restored at"),
    "notes": ("备注", "Notes"),
    "send": ("提交", "Send"),
    "by": ("答复人", "By"),
    "message": ("内容", "Message"),
    "technician_id": ("技术人员编号", "Technician id"),
    "technician_name": ("技术人员姓名", "Technician name"),
    "dispatch": ("派工", "Dispatch"),
    "third_party": ("第三方维修", "Third-party repair"),
    "vendor": ("维修商", "Vendor"),
    "invoice_ref": ("发票号", "Invoice"),
    "amount": ("金额", "Amount"),
    "cancel": ("取消维修单", "Cancel the case"),
    "reason": ("原因", "Reason"),
    "timeline": ("时间线", "Timeline"),
    "charges": ("费用", "Charges"),
    "notices": ("通知", "Letters"),
    "none": ("无", "none"),
    "case": ("维修单", "Case"),
    "coverage": ("保修", "Coverage"),
    "warranty_ends": ("保修截止", "Warranty ends"),
    "warranty_start": ("保修开始", "Warranty start"),
    "days_earned": ("延长天数(第7条)", "Days earned (clause 7)"),
    "today": ("今日", "Today"),
    "cases": ("维修单", "Cases"),
    "report": ("服务达标报告", "Compliance report"),
    "desk": ("服务台", "Desk"),
    "tech": ("技术人员", "Technician"),
    "queued": (
        "网络不可用:已保存在本机,恢复连接后自动发送。",
        "No connection: kept on this phone, sent when the connection returns.",
    ),
    "offline": ("无法发送:网络不可用。", "Could not send: no connection."),
    "sent": ("已发送。", "Sent."),
    "site": ("地点", "Site"),
    "reported": ("报修时间", "Reported"),
    "ip_disputes": ("知识产权争议", "IP disputes"),
    # each status and outcome, told apart by word and colour (app.css .status-*)
    "status_opening": ("建档中", "opening"),
    "status_awaiting_reply": ("待答复", "awaiting reply"),
    "status_awaiting_technician": ("待派工", "awaiting technician"),
    "status_technician_dispatched": ("已派工", "technician dispatched"),
    "status_on_site": ("技术人员在现场", "on site"),
    "status_repaired": ("已修复", "repaired"),
    "status_third_party": ("第三方维修", "third-party repair"),
    "status_cancelled": ("已取消", "cancelled"),
    "status_rejected": ("已拒绝", "rejected"),
    "sla_reply": ("答复", "reply"),
    "sla_onsite": ("到场", "on site"),
    "sla_repair_24h": ("24 小时修复", "24 h repair"),
    "warranty_term": ("保修期", "Warranty"),
    "coverage_in_warranty": ("保修期内", "in warranty"),
    "coverage_post_warranty": ("保修期外", "post warranty"),
    # the office's board
    "next_deadline": ("下一期限", "Next deadline"),
    "breaches": ("超期", "Breaches"),
    "warnings": ("预警", "Warnings"),
    "technician": ("技术人员", "Technician"),
    "any": ("全部", "any"),
    "breached_only": ("仅超期", "breached"),
    "not_breached": ("未超期", "not breached"),
    "filter": ("筛选", "Filter"),
    "sort_by": ("排序", "Sort by"),
    # the customer's page of their case (/c/{token})
    "your_case": ("您的维修单", "Your case"),
    "commitments": ("我方承诺", "Our commitments"),
    "due": ("期限", "due"),
    "missed": ("未按时完成", "missed"),
    "done_at": ("完成于", "done at"),
    "running": ("进行中", "in progress"),
    "your_technician": ("技术人员", "Your technician"),
    "expected_arrival": ("预计到达", "Expected arrival"),
    "arrived_at": ("到达现场", "Arrived on site"),
    "our_reply": ("工程部答复", "Our reply"),
    "closed_at": ("结案时间", "Closed"),
    "hotline": ("服务热线", "Service hotline"),
    "link_invalid": (
        "此链接无效。请使用我们来信中的链接,或致电服务热线。",
        "This link is not valid. Use the link in our letter, or call our service hotline.",
    ),
    "link_expired": (
        "此链接已过期。请致电服务热线查询您的维修单。",
        "This link has expired. Call our service hotline about your case.",
    ),
}


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "zh"


class Words:
    """What a template needs for one language and zone: words, local times, time left."""

    def __init__(self, lang: str, zone: ZoneInfo, now: datetime) -> None:
        self.lang, self.zone, self.now = lang, zone, now

    def __call__(self, key: str) -> str:
        zh, en = WORDS[key]
        return zh if self.lang == "zh" else en

    def status(self, value: str | None) -> str:
        """A status or outcome in the reader's words; `-` when there is none."""
        return self(f"status_{value}") if value else "-"

    def months(self, count: int) -> str:
        return f"{count} 个月" if self.lang == "zh" else f"{count} month{'s' if count != 1 else ''}"

    def local(self, moment: datetime | str | None) -> str:
        if moment is None:
            return "-"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return wall_clock(moment.astimezone(self.zone), self.zone.key)

    def left(self, due: datetime | str) -> str:
        if isinstance(due, str):
            due = datetime.fromisoformat(due)
        span = due - self.now
        words = self.span(abs(span))
        if span >= timedelta(0):
            return f"{self('left')} {words}"
        return f"{self('overdue')} {words}"

    def span(self, span: timedelta) -> str:
        minutes = int(span.total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        if self.lang == "zh":
            return f"{hours} 小时 {minutes} 分" if hours else f"{minutes} 分钟"
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
