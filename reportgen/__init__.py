"""reportgen: centre workbooks in, the strategy-plan follow-up report out (PDF, DOCX)."""

__version__ = "0.1.0"
