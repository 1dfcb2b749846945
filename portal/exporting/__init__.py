"""The one registry of exporters. Each app declares its exports in ``<app>/exporters.py``:

    @exporting.register
    class MemberRoll(ListExporter):
        identifier = "member_roll"
        ...

The registry is filled when the apps are ready (``autodiscover_modules("exporters")``); one Celery
task (``portal.tasks.run_export``) runs any of them and the download centre lists them all.
"""

from .base import Exporter, ExportError, ListExporter
from .pdf import PdfExporter

REGISTRY: dict[str, type[Exporter]] = {}


def register(exporter):
    if exporter.identifier in REGISTRY:
        raise ValueError(f"exporter {exporter.identifier!r} is registered twice")
    REGISTRY[exporter.identifier] = exporter
    return exporter


def get(identifier):
    """The exporter class, or None for an unknown identifier."""
    return REGISTRY.get(identifier)


def available_to(scope):
    """The exporters a user may run somewhere in their reach, by name."""
    return sorted((e for e in REGISTRY.values() if scope.can(e.action)), key=lambda e: str(e.verbose_name))


__all__ = ["REGISTRY", "ExportError", "Exporter", "ListExporter", "PdfExporter", "available_to", "get", "register"]
