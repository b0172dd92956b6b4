"""The compliance report as HTML: `repairdesk report --html FILE` writes one self-contained
page (inline CSS and SVG, no scripts, no external assets) with a bar chart per SLA by month and
by customer, and the tables; the HTTP server's /report page shows the same body in its layout.

Each bar is one group's decided deadlines: the green part met, the red part breached, so the
green length is the share met. A group with nothing decided shows an empty grey track.
"""

from __future__ import annotations

from html import escape

from activities.archive.compliance import SLAS, Tally
from client.report import COUNT_HEADERS, SLA_TITLES, Report, counts, percent
from workflows.messages import Sla

MET = "#2f855a"
BREACHED = "#e9a39b"
TRACK = "#edf0f3"
INK = "#1f2933"
MUTED = "#66727f"
LABEL_PX = 13  # chart labels, never scaled down: a narrow screen scrolls the chart instead
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif"

PAGE_CSS = """
body{margin:0;background:#f6f7f9;color:#1f2933;font:14px/1.45 system-ui,-apple-system,
'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK SC',sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 32px 48px}
"""
# The report's own rules; the HTTP server's /report page uses them inside its layout.
CSS = """
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}
h3{font-size:13px;margin:0 0 6px;color:#66727f;font-weight:600;text-transform:uppercase;
letter-spacing:.04em}
.meta{color:#66727f;margin:0 0 20px}
.cards{display:flex;gap:16px;margin-bottom:24px;flex-wrap:wrap}
.card,section{background:#fff;border:1px solid #e1e5ea;border-radius:8px}
.card{flex:1 1 220px;padding:14px 18px}
.card .value{font-size:30px;font-weight:650}.card .label{color:#66727f}
section{padding:18px 22px;margin-bottom:20px}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:28px}
.columns>div{min-width:0}.scroll{overflow-x:auto;margin-bottom:10px}
.columns svg{display:block;max-width:none}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:3px 6px;font-size:13px;border-bottom:1px solid #eef0f3;text-align:right;
white-space:nowrap}
th{font-size:12px;color:#66727f;font-weight:600}
th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:anywhere}
.legend{color:#66727f;font-size:12px;margin:4px 0 0}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
.empty{color:#66727f;font-style:italic}
footer{color:#66727f;font-size:12px}
"""


def _text(x: float, y: float, content: str, anchor: str = "middle", **style: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in style.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{LABEL_PX}" '
        f'fill="{MUTED}"{extra}>{escape(content)}</text>'
    )


def _bar(x: float, y: float, width: float, height: float, tally: Tally, vertical: bool) -> str:
    """A track for the group's decided deadlines, green for the met part, red for the rest."""
    parts = [
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'rx="2" fill="{TRACK}"/>'
    ]
    share = tally.share_met
    if share is None:
        return "".join(parts)
    parts[0] = parts[0].replace(TRACK, BREACHED)
    if vertical:
        filled = height * share
        box = (x, y + height - filled, width, filled)
    else:
        box = (x, y, width * share, height)
    title = f"{tally.met} met, {tally.breached} breached"
    parts.append(
        f'<rect x="{box[0]:.1f}" y="{box[1]:.1f}" width="{box[2]:.1f}" height="{box[3]:.1f}" '
        f'rx="2" fill="{MET}"><title>{title}</title></rect>'
    )
    return "".join(parts)


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}" '
        f'style="{FONT}">{"".join(body)}</svg>'
    )


def month_chart(sla: str, groups: dict[str, Tally]) -> str:
    """Vertical bars, one per month, on a 0-100 % axis."""
    left, top, plot_h, slot = 44, 22, 160, max(64.0, 440 / max(len(groups), 1))
    width = left + slot * len(groups) + 10
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        body.append(
            f'<line x1="{left}" x2="{width - 6:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e1e5ea"/>'
        )
        body.append(_text(left - 6, y + 4, f"{tick}%", "end"))
    bar_w = min(30.0, slot * 0.6)
    for i, (month, tally) in enumerate(groups.items()):
        x = left + slot * i + (slot - bar_w) / 2
        centre = x + bar_w / 2
        body.append(_bar(x, top, bar_w, plot_h, tally, vertical=True))
        body.append(_text(centre, top - 6, percent(tally.share_met), fill=INK))
        body.append(_text(centre, top + plot_h + 15, month))
        body.append(_text(centre, top + plot_h + 28, f"n={tally.decided}"))
    return _svg(width, top + plot_h + 36, f"{sla} share met by month", body)


def customer_chart(sla: str, groups: dict[str, Tally]) -> str:
    """Horizontal bars, one per customer, the share and counts to the right."""
    label_w, bar_w, row_h = 165, 195, 26
    width = label_w + bar_w + 110
    body = []
    for i, (customer, tally) in enumerate(groups.items()):
        y = 6 + row_h * i
        name = customer if len(customer) <= 22 else customer[:21] + "…"
        label = _text(label_w - 8, y + 13, name, "end", fill=INK)
        body.append(f"<g><title>{escape(customer)}</title>{label}</g>")
        body.append(_bar(label_w, y + 2, bar_w, row_h - 10, tally, vertical=False))
        detail = f"{percent(tally.share_met)}  ({tally.met}/{tally.decided})"
        body.append(_text(label_w + bar_w + 8, y + 13, detail, "start"))
    return _svg(width, row_h * len(groups) + 8, f"{sla} share met by customer", body)


def _table(headers: tuple[str, ...], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h.lower())}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _card(sla: str, tally: Tally) -> str:
    return (
        f'<div class="card"><div class="label">{escape(SLA_TITLES[sla])}</div>'
        f'<div class="value">{percent(tally.share_met)}</div>'
        f'<div class="label">{tally.met} of {tally.decided} met · {tally.excluded} excluded · '
        f"{tally.open} open</div></div>"
    )


def _sla_section(report: Report, sla: Sla) -> str:
    c = report.compliance
    by_month, by_customer = c.by_month[sla], c.by_customer[sla]
    if not by_month:
        return (
            f"<section><h2>{escape(SLA_TITLES[sla])} <small>({sla})</small></h2>"
            '<p class="empty">no case had this deadline in the period</p></section>'
        )
    month_rows = [[month, *counts(t)] for month, t in by_month.items()]
    customer_rows = [[customer, *counts(t)] for customer, t in by_customer.items()]
    return (
        f"<section><h2>{escape(SLA_TITLES[sla])} <small>({sla})</small></h2>"
        '<div class="columns"><div><h3>By month</h3>'
        f'<div class="scroll">{month_chart(sla, by_month)}</div>'
        f"{_table(('month', *COUNT_HEADERS), month_rows)}</div>"
        "<div><h3>By customer</h3>"
        f'<div class="scroll">{customer_chart(sla, by_customer)}</div>'
        f"{_table(('customer', *COUNT_HEADERS), customer_rows)}</div></div></section>"
    )


LEGEND = (
    f'<p class="legend"><span class="swatch" style="background:{MET}"></span>met'
    f'<span class="swatch" style="background:{BREACHED}"></span>breached'
    f'<span class="swatch" style="background:{TRACK}"></span>nothing decided</p>'
)


def body(report: Report) -> str:
    """The report without its page: heading, cards, charts, tables, footnote."""
    c = report.compliance
    meta = (
        f"{escape(report.period())} ({escape(report.zone.key)}) · {c.cases} "
        f"case{'' if c.cases == 1 else 's'} with deadlines · generated {report.generated()}"
    )
    if c.empty:
        content = '<section><p class="empty">no cases with deadlines in this period</p></section>'
    else:
        cards = "".join(_card(sla, c.by_sla[sla]) for sla in SLAS)
        sections = "".join(_sla_section(report, sla) for sla in SLAS)
        content = f'<div class="cards">{cards}</div>{LEGEND}{sections}'
    return (
        f'<h1>SLA compliance</h1><p class="meta">{meta}</p>{content}'
        "<footer>Share met = met / (met + breached). Excluded: the case ended before the "
        "deadline without meeting it. Open: not due yet. Months are those of the report "
        f"date in {escape(report.zone.key)}.</footer>"
    )


def page(report: Report) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>repairdesk SLA compliance</title><style>{PAGE_CSS}{CSS}</style></head>"
        f"<body><main>{body(report)}</main></body></html>\n"
    )
