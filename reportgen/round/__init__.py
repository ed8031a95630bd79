"""The round: the plan goes out as a workbook per centre, the workbooks come back, and the
report is compared with the last follow-up.

- plan.py: the plan's goals with the returned statuses (apply_plan), and what the plan's
  own cells and the returned workbooks' `Rapport` sheets are then worth (with_plan);
- matching.py: the one rule by which a goal is found again in other workbooks;
- progress.py: who has reported, per centre;
- previous.py and compare.py: the earlier follow-up read, and the change since then;
- centre_workbooks.py: the next round's workbooks, one per centre.
"""
