"""Filters of the organization's own review pages (templates/evaluations/branch_*.html)."""

from django import template

from ..models import plain

register = template.Library()


@register.filter
def points(value):
    """A score as people write it (18, 17.5, not 17.50); "—" for none."""
    return "—" if value is None or value == "" else plain(value)
