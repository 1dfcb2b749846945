"""Fixtures of the portal tests, on top of the suite-wide ``cast`` (see tests/conftest.py).

``world`` is the cast plus a branch of the other tree with a member in it, so that both kinds of
object (organization and member) exist in "another tree":

other_city ─── other_branch   (member_other)

and branch_a's public board (``board_a``) with an address that leads nowhere (``unknown_board``).
"""

from types import SimpleNamespace

import pytest

from commitments.models import Board

from ..commitments.board_data import board_world
from ..factories import MemberFactory, OrganizationFactory


@pytest.fixture
def world(cast):
    cast.other_branch = OrganizationFactory(name="邻市某支部", code="OTHER-BR", parent=cast.other_city)
    cast.member_other = MemberFactory(name="赵六", organization=cast.other_branch)
    cast.board_a = Board.for_organization(cast.branch_a)
    cast.unknown_board = SimpleNamespace(code="NOSUCHBOARD")
    board_world(cast)  # commitments, photos, comments: see its docstring
    return cast
