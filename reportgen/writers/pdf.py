"""The PDF writer: the HTML writer's output through WeasyPrint, tagged (PDF/UA-1).

WeasyPrint's own URL fetcher reads local files and the network; ours serves only
`data:` URLs and files inside the templates folder, so nothing in a workbook can make
the renderer read a file or reach a host.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..model import Report
from . import PDF_VARIANTS, RenderOptions
from .html import render_html
from .pdf_tags import mend_tags

class FetchRefused(ValueError):
    pass


def _fetcher(root: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return URLFetcherResponse(url, body=path.read_bytes())
            raise FetchRefused(f"not fetched: {url[:80]}")

    return TemplateFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def html_to_pdf(html: str, base_dir: Path, variant: str | None = PDF_VARIANTS[0]) -> bytes:
    # Without HarfBuzz's subsetter WeasyPrint subsets fonts with fontTools, which stamps
    # the clock into each font unless SOURCE_DATE_EPOCH is set: pin it for the same bytes.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    import weasyprint

    root = base_dir.resolve()
    fonts = weasyprint.text.fonts.FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=f"{root}/", url_fetcher=_fetcher(root))
    data = document.write_pdf(pdf_variant=variant, font_config=fonts, uncompressed_pdf=False)
    return mend_tags(data)


def render(report: Report, options: RenderOptions) -> bytes:
    return html_to_pdf(render_html(report, options), options.templates, options.pdf_variant)
