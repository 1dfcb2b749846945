"""Grouping keys over the organizations of an area (a subtree), for SQL aggregates grouped in one pass.

A key is a function of ``prefix`` (the lookup path from the aggregated model to the organization, e.g.
``"commitment__organization__"``) returning an expression; every organization of the area falls in
exactly one group, so the groups' figures add up to the area's:

- ``subordinate_key(root)``: the path of the direct subordinate of ``root`` the organization lies under
  (``root.path`` itself for the root's own row), i.e. ``Substr(path, 1, len(root.path) + segment)``;
- ``sector_key``: the organization's sector;
- ``subordinate_and_sector_key(root)``: both at once, ``"<subordinate path>|<sector>"``, so that one query
  gives the figures by subordinate and by sector (``split``);
- ``organization_key``: every organization a group of its own.
"""

from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr

from .models.organizations import SEGMENT

SEPARATOR = "|"  # never in a path (base-36 digits and slashes) nor in a sector's value


def _subordinate_length(root):
    return len(root.path) + SEGMENT + 1


def subordinate_key(root):
    length = _subordinate_length(root)
    return lambda prefix: Substr(f"{prefix}path", 1, length)


def sector_key(prefix):
    return F(f"{prefix}sector")


def subordinate_and_sector_key(root):
    length = _subordinate_length(root)
    return lambda prefix: Concat(
        Substr(f"{prefix}path", 1, length), Value(SEPARATOR), F(f"{prefix}sector"), output_field=CharField()
    )


def organization_key(prefix):
    return F(f"{prefix}path")


def split(groups, empty):
    """``({subordinate path: figures}, {sector: figures})`` from groups keyed by ``subordinate_and_sector_key``;
    ``empty()`` makes a zero figures object that ``+=`` adds to."""
    by_subordinate, by_sector = {}, {}
    for name, figures in groups.items():
        path, sector = name.split(SEPARATOR)
        for out, key in ((by_subordinate, path), (by_sector, sector)):
            if key not in out:
                out[key] = empty()
            out[key] += figures
    return by_subordinate, by_sector
