"""A session's header card: plain text for nbval, HTML for JupyterLab.

Examples
--------
>>> from csframework.curriculum import session
>>> print(SessionCard(session(7)).text().splitlines()[0])
Session 7 · December 2024 · Feedback loops and delays
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from csframework.curriculum.plans import clock
from csframework.curriculum.vocabulary import DOMAINS
from csframework.style import PALETTE

if TYPE_CHECKING:
    from csframework.curriculum.year import Session

__all__ = ["SessionCard"]


def _chip(text: str, colour: str) -> str:
    return (f'<span style="display:inline-block;padding:1px 9px;margin:0 4px 2px 0;'
            f'border-radius:10px;background:{colour};color:#fff;font-size:0.9em">'
            f"{escape(text)}</span>")


@dataclass(frozen=True)
class SessionCard:
    """A session's header card: text for nbval, HTML for JupyterLab."""

    session: Session

    def text(self) -> str:
        """The card as plain text (also its ``repr``)."""
        s = self.session
        head = " · ".join(part for part in (s.label, s.month, s.title) if part)
        lines = [head, f"Facets: {', '.join(s.facets)}", f"Mandala domain: {s.domain}"]
        if s.habits:
            lines.append("Habits: " + "; ".join(s.habits))
        if s.tools:
            lines.append("Tools: " + ", ".join(s.tools))
        if s.plan:
            span = f"{s.days} days of {s.day_length} minutes" if s.days > 1 else \
                f"{s.length} minutes"
            lines.append(f"Plan ({span}):")
            for item, start, end in s.schedule():
                when = f"day {item.day}" if s.days > 1 else clock(start, end)
                lines.append(f"  {when}  {item.section} ({item.minutes} min)")
            lines += [f"  take-home  {name}" for name in s.take_home_sections]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = text

    def _repr_html_(self) -> str:
        s = self.session
        chips = "".join(_chip(f, PALETTE[f]) for f in s.facets)
        habits = "".join(f"<li>{escape(h[0].upper() + h[1:])}</li>" for h in s.habits)
        tools = ", ".join(escape(t) for t in s.tools)
        when = f" · {escape(s.when)}" if s.when else ""
        domain_q = escape(DOMAINS[s.domain])
        return (
            '<div class="csf-session-card" style="border:1px solid #ddd;border-left:6px solid '
            f'{PALETTE["balancing"]};border-radius:6px;padding:10px 14px;margin:4px 0 12px 0;'
            f'font-family:sans-serif;color:{PALETTE["text"]}">'
            f'<div style="font-size:0.85em;color:#666">{escape(s.label)}{when}</div>'
            f'<div style="font-size:1.35em;font-weight:600;margin:2px 0 6px 0">'
            f"{escape(s.title)}</div>"
            f"<div>{chips}</div>"
            f'<div style="margin-top:6px"><b>Mandala domain:</b> {escape(s.domain)} '
            f'<span style="color:#666">({domain_q})</span></div>'
            + (f'<div style="margin-top:4px"><b>Habits of a systems thinker:</b>'
               f'<ul style="margin:2px 0 0 0">{habits}</ul></div>' if habits else "")
            + (f'<div style="margin-top:4px"><b>Tools:</b> {tools}</div>' if tools else "")
            + _plan_html(s)
            + "</div>"
        )


def _plan_html(s: Session) -> str:
    if not s.plan:
        return ""
    rows = []
    for item, start, end in s.schedule():
        when = f"day {item.day}" if s.days > 1 else clock(start, end)
        rows.append(f'<tr><td style="padding:0 10px 0 0;color:#666">{when}</td>'
                    f'<td style="padding:0 10px 0 0">{escape(item.section)}</td>'
                    f'<td style="text-align:right">{item.minutes}</td></tr>')
    rows += [f'<tr><td style="padding:0 10px 0 0;color:#666">take-home</td>'
             f'<td style="padding:0 10px 0 0"><i>{escape(name)}</i></td><td></td></tr>'
             for name in s.take_home_sections]
    span = f"{s.days} days of {s.day_length} minutes" if s.days > 1 else f"{s.length} minutes"
    return (f'<details style="margin-top:4px"><summary><b>Plan</b> ({span})</summary>'
            f'<table style="font-size:0.9em;margin-top:2px">{"".join(rows)}</table></details>')
