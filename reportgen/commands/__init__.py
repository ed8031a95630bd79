"""The library both front ends call, one module per command: the command line (cli/)
and the page (web/) each turn what they are given into a `round.Round` and hand it here.

- check.py: the round's workbooks read and checked;
- build.py: checked, rendered in memory (make), written all or none (build);
- template.py: the centres' workbooks for the next round;
- documents.py: which documents a build makes of the report, and their file names;
- findings_sheet.py: the findings, and who has reported, as a spreadsheet.
"""
