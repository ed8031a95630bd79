"""The round: the plan goes out as a workbook per centre, the workbooks come back, and the
report is compared with the last follow-up.

- plan.py: the plan's goals with the returned statuses (apply_plan), and what the plan's
  own cells and the returned workbooks' `Rapport` sheets are then worth (with_plan);
- matching.py: the rules by which a goal is found again in other workbooks (the plan's
  goals among the returned ones; this follow-up's among the previous one's);
- progress.py: who has reported, per centre;
- previous.py and compare.py: the earlier follow-up read, and the change since then;
- centre_workbooks.py: the next round's workbooks, one per centre.

`Round` is what a check or a build is asked, as the command line and the page both put
it; commands/ takes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.acceptance import Acceptance


@dataclass(frozen=True)
class Round:
    """A round as a check or a build is asked of it.

    `inputs`: the returned workbooks (files or folders; a zip's are a folder); `plan`: the
    workbooks the round went out from (the plan gives the goals and their order, round/
    plan.py); `previous`: the earlier follow-up to compare with (its workbooks or its JSON
    export); `details`: the report's details over the `Rapport` sheets' (field of
    model.Meta -> text, as `--title` and its kin give them); `accept`: the personal-data
    findings accepted, one cell each; `centres`: only their goals (matched as
    contract.centre_key says); `split`: "theme" for a document per theme."""

    inputs: Sequence[Path]
    plan: Sequence[Path] = ()
    previous: Path | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    accept: Sequence[Acceptance] = ()
    centres: Sequence[str] = ()
    split: str | None = None

    def __post_init__(self) -> None:  # any sequence in, tuples kept: the value is frozen
        for name in ("inputs", "plan", "accept", "centres"):
            value: Sequence = getattr(self, name)
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "details", dict(self.details))  # a copy of its own
