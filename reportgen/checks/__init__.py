"""What stops a build, and what may not be published: the checks beside the reader's.

- acceptance.py: a personal-data finding accepted for one cell (--accept);
- glyphs.py: characters no font of the templates can draw;
- details.py: the report's details given on the command line or the page, checked as
  the `Rapport` sheet's are;
- drafts.py: the gaps a draft shows instead of stopping at;
- guard.py: the last look at a finished document for a CPR number no cell held.
"""
