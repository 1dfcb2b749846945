"""The one way the portal makes PDF: a Django template rendered by WeasyPrint.

WeasyPrint fetches the resources an HTML page names (stylesheets, images). Ours may name only the
portal's own static files and ``data:`` URIs: ``StaticOnlyFetcher`` refuses every other address (no
network, no ``file://``, no other host, nothing outside the static files), so nothing a template or a
stored text contains can make the server read another file or call another host. A refused resource
is left out (WeasyPrint logs it and goes on); user text is escaped by the template anyway.

Chinese text needs a CJK font: the stylesheets name "Noto Sans CJK SC" / "Noto Serif CJK SC"
(Debian ``fonts-noto-cjk``; ``portal.checks`` warns at start-up when none is installed). Fonts are
embedded as subsets of the glyphs used (never ``full_fonts``: that embeds tens of megabytes).
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


def static_file(name):
    """The path of the static file ``name`` (collected, else found in the source tree), or None."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves the portal's static files and ``data:`` URIs, and nothing else."""

    def __init__(self, base_url):
        super().__init__(allowed_protocols=("data",))
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if url.startswith(self.static_prefix):
            name = unquote(urlsplit(url).path[len(urlsplit(self.static_prefix).path) :])
            path = static_file(name)
            if path is None:
                raise ValueError(f"No static file {name!r}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})
        return super().fetch(url, headers)  # data: URIs only; any other scheme is refused


def base_url():
    """The address relative links of a rendered page resolve against: ``{% static %}`` lands under it."""
    return settings.SITE_URL + "/"


def layout(html):
    """The laid-out document of ``html`` (its pages are known: ``len(document.pages)``)."""
    base = base_url()
    return HTML(string=html, base_url=base, url_fetcher=StaticOnlyFetcher(base)).render()


def render(template_name, context):
    """The template rendered to HTML and laid out; ``.write_pdf(target)`` writes it."""
    return layout(render_to_string(template_name, context))


def render_to_bytes(template_name, context):
    return render(template_name, context).write_pdf()
