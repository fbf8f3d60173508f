"""Rendering a report: a Django template to HTML, then WeasyPrint to PDF.

Every report is a tagged PDF/UA-1 document by default (headings, lists, tables and reading order in the tag tree, the
charts as figures with their alternative text, the language and title in the catalogue). The archive variant is
PDF/A-3a, still tagged, and also declares PDF/UA-1.

The look lives in two stylesheets, never in the HTML: the static file static/reports/report.css (fonts, layout,
typography) and the template reports/print.css, rendered per report for what must be translated or comes from the
data (the running header, «Side X av Y», the date, and the status colours from measures/status.py). The fonts are
Inter, shipped in static/vendor/inter/ with its licence and embedded in every PDF, and for characters Inter lacks the
Noto fallbacks of static/vendor/noto/ that the text needs (measures/reports/fonts.py); WeasyPrint may fetch nothing
else (see LocalFiles).
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from weasyprint import CSS, HTML, Attachment, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from decisions.status import CommitmentStatus

from ..status import NOT_REPORTED, MeasureStatus
from .fonts import fallback_css

STATIC_DIR = Path(settings.BASE_DIR) / "static"
STYLESHEET = STATIC_DIR / "reports" / "report.css"
# The only files a report may read: its stylesheet's folder and the vendored fonts (Inter, and the fallbacks).
READABLE = (STATIC_DIR / "reports", STATIC_DIR / "vendor" / "inter", STATIC_DIR / "vendor" / "noto")

AUTHOR = "Bergen kommune"
DEFAULT_VARIANT = "pdf/ua-1"
ARCHIVE_VARIANT = "pdf/a-3a"


def _page_references(pdf):
    """pydyf's PDF.page_references, computed once per number of pages instead of at every read.

    pydyf (0.13) rebuilds the tuple of every page's reference each time the property is read, and WeasyPrint reads
    it for every element of the tag tree, so a tagged PDF cost time in proportion to pages × elements: a 2,000-page
    report spent most of its time there. Same values, read from a cache that a new page invalidates.
    """
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references_cache"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)

_stream_data = pydyf.Stream.data.fget


def _stream_data_with_clear_end(stream):
    """pydyf's Stream.data, with CR LF instead of LF before `endstream` when the data itself ends with CR.

    PDF/A (ISO 19005-3, 6.1.7.1) counts /Length up to the end-of-line marker before `endstream`; pydyf writes a lone
    LF there, so a stream whose (compressed) bytes happen to end with CR reads as ending in a CR LF marker, one byte
    short of its /Length, and the archive file fails validation now and then. With CR LF the marker is unambiguous.
    """
    data = _stream_data(stream)
    if data.endswith(b"\r\nendstream"):
        data = data[: -len(b"\nendstream")] + b"\r\nendstream"
    return data


pydyf.Stream.data = property(_stream_data_with_clear_end)


class LocalFiles(URLFetcher):
    """Fetches only the project's own report files (stylesheet and fonts) and data: URLs; refuses the rest.

    A report never reaches out to the network or to the machine's fonts and files, whatever a record's text holds.
    """

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(folder.resolve()) for folder in READABLE):
                return super().fetch(url, headers)
        raise ValueError(f"A report reads only the project's own report files, not {url}")


def css_string(text):
    """`text` as a quoted CSS string."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def page_label_css():
    """«Side X av Y» (in the active language) as the value of a CSS `content` property."""
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    text = gettext("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages}
    parts = []
    for chunk in text.split("\x00"):
        if chunk == "page":
            parts.append("counter(page)")
        elif chunk == "pages":
            parts.append("counter(pages)")
        elif chunk:
            parts.append(css_string(chunk))
    return " ".join(parts)


@dataclass
class Document:
    """A report ready to be written as PDF: its HTML and the stylesheet rendered for it."""

    html: str
    print_css: str
    title: str
    # Files the archive variant embeds (measures.reports.attachments.ReportFile): the report's data.
    attachments: list = field(default_factory=list)


def render_document(*, template, context, title, running_title=None, subject="", created=None):
    """Render `template` with `context` to a Document.

    The template extends reports/base.html, which writes the metadata WeasyPrint turns into the PDF's: `title`,
    the author «Bergen kommune», `subject`, the language and the creation time (`created`, default now).
    `running_title` is the header of every page but the first (default `title`).
    """
    created = timezone.localtime(created or timezone.now())
    print_css = render_to_string(
        "reports/print.css",
        {
            "running_title": css_string(running_title or title),
            "footer_date": css_string(
                gettext("Extracted %(date)s") % {"date": date_format(created, "DATE_FORMAT")},
            ),
            "page_label": page_label_css(),
            "measure_statuses": MeasureStatus,
            "commitment_statuses": CommitmentStatus,
            "not_reported": NOT_REPORTED,
        },
    )
    html = render_to_string(
        template,
        {
            **context,
            "title": title,
            "subject": subject,
            "author": AUTHOR,
            "created": created,
            "created_iso": created.isoformat(timespec="seconds"),
            "language": get_language() or settings.LANGUAGE_CODE,
        },
    )
    return Document(html=html, print_css=print_css, title=title)


def write_pdf(document, *, archive=False, target=None):
    """Write `document` as PDF: tagged PDF/UA-1, or for the archive PDF/A-3a declaring PDF/UA-1 as well.

    The archive variant embeds the document's attachments as associated files of the document (PDF/A-3: each with
    its MIME type, dates, checksum and the relationship «Data», listed in the catalogue's /AF). Returns the bytes, or
    writes to `target` (a path or file object) and returns None.
    """
    attachments = [
        Attachment(string=item.content, name=item.name, description=item.description, relationship="Data")
        for item in (document.attachments if archive else [])
    ]
    fonts = FontConfiguration()
    fetcher = LocalFiles()
    stylesheets = [
        CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher),
        CSS(string=document.print_css, base_url=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher),
    ]
    # Fonts for what Inter cannot print (a user's Chinese, Arabic or emoji), only as far as the text needs them.
    fallback = fallback_css(document.html + document.print_css)
    if fallback:
        stylesheets.append(CSS(string=fallback, base_url=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher))
    html = HTML(string=document.html, base_url=str(STYLESHEET), url_fetcher=fetcher)
    with _collector_paused():
        return html.write_pdf(
            target,
            stylesheets=stylesheets,
            font_config=fonts,
            pdf_variant=ARCHIVE_VARIANT if archive else DEFAULT_VARIANT,
            pdf_tags=True,
            pdf_identifier=True,
            attachments=attachments,
            finisher=_declare_pdfua_in_pdfa if archive else None,
        )


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while WeasyPrint lays the document out.

    A long report holds millions of live layout objects, and each collection walks them all: measured on a
    1,000-measure report, a quarter of the CPU time went to collections that freed next to nothing (the peak memory
    grows by about 10 MB without them). Reference counting still frees everything as usual; the collector runs again
    afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# XMP that declares PDF/UA-1 conformance, with the extension schema PDF/A requires for the pdfuaid namespace.
_PDFUA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates which part of ISO 14289 the document conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def _declare_pdfua_in_pdfa(document, pdf):
    """WeasyPrint's finisher for the archive variant: rewrite the XMP metadata stream so that it

    - declares PDF/UA-1 besides PDF/A-3a (with the extension schema PDF/A asks for), since the file is tagged for
      accessibility just like the default one; and
    - is not compressed: PDF/A forbids a Filter on the metadata stream, and WeasyPrint compresses it for PDF/A-2
      and later;

    and that each embedded file is listed once among the document's associated files.
    """
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    if not isinstance(metadata, pydyf.Stream):
        raise TypeError("WeasyPrint wrote no XMP metadata stream for the PDF/A variant")
    rdf = document.metadata.generate_rdf_metadata("a", 3, "A")
    rdf = rdf.replace(b"</rdf:RDF>", _PDFUA_XMP + b"</rdf:RDF>")
    metadata.stream = [
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        + rdf
        + b'</x:xmpmeta>\n<?xpacket end="r"?>'
    ]
    metadata.compress = False
    if "AF" in pdf.catalog:
        # WeasyPrint (70) lists each embedded file twice among the associated files: once from the name tree and
        # once from its file specification. Once each is what PDF/A-3 means.
        unique = list(dict.fromkeys(pdf.catalog["AF"]))
        pdf.catalog["AF"] = pydyf.Array(unique)
