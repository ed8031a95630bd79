"""Who has reported: each centre's goals, how many carry a status, and which do not."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Goal, Report
from ..personal_data import quoted
from ..reader.rows import short


@dataclass(frozen=True)
class CentreStatus:
    """How far one centre has reported."""

    centre: str
    goals: int
    reported: int
    missing: tuple[str, ...]  # the Ids (else the texts, masked) of its goals not reported
    received: bool = True     # a workbook of the centre's came back (always, without a plan)

    def __post_init__(self) -> None:
        # What it quotes of a goal is shown as a finding shows it: never a CPR number, an
        # e-mail address or a phone number (the lines go to the terminal, the findings
        # sheet and the page).
        object.__setattr__(self, "missing", tuple(map(quoted, self.missing)))

    @property
    def line(self) -> str:
        """`CPU/BGE: 3 af 5 mål indberettet (mangler 1.2.3, 1.2.4)`."""
        head = f"{self.centre}: {self.reported} af {self.goals} mål indberettet"
        if not self.received:
            return f"{head} — ingen arbejdsbog modtaget"
        if not self.missing:
            return head
        shown = ", ".join(self.missing[:10]) + (" …" if len(self.missing) > 10 else "")
        return f"{head} (mangler {shown})"


def centres_behind(report: Report, received: set[str] | None = None) -> list[CentreStatus]:
    """Each centre with a goal not reported, in the report's order; `received`: the
    centres a returned workbook reported for (None: every centre, as without a plan)."""
    return [status for status in centre_statuses(report, received) if status.missing]


def centre_statuses(report: Report, received: set[str] | None = None) -> list[CentreStatus]:
    """Every centre of the report, in its order, and how far it has reported."""
    statuses: dict[str, list[Goal]] = {}
    for goal in report.goals():
        statuses.setdefault(goal.centre, []).append(goal)
    return [CentreStatus(centre, len(goals), sum(g.is_reported for g in goals),
                         tuple(g.id or f"»{short(quoted(g.text), 30)}«" for g in goals
                               if not g.is_reported),
                         received is None or centre in received)
            for centre, goals in statuses.items()]
