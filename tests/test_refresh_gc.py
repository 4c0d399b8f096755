"""A refresh pauses Python's cyclic garbage collector while it runs (it holds every cell it read) and
leaves it as it found it: a program that calls refresh, or the command, keeps its own setting."""

from __future__ import annotations

import gc
import weakref

import pytest

from kpi_xl.cli import main
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(tmp_path, enabled):
    book = new(tmp_path / "book.xlsx")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        report = refresh(book, backup=False)
        assert report.goals > 0 and gc.isenabled() is enabled
        main(["refresh", str(book), "--quiet", "--no-backup"], standalone_mode=False)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_command_leaves_no_object_frozen(tmp_path):
    """The command turns the collector on again without a collection walking everything it loaded
    (what is alive goes to the oldest generation): nothing stays in the permanent generation, where
    a reference cycle would never be freed, and a cycle made before the command is freed after it."""
    book = new(tmp_path / "book.xlsx")

    class Node:
        pass

    was = gc.isenabled()
    try:
        gc.enable()
        node = Node()
        node.me = node
        gone = weakref.ref(node)
        del node
        main(["refresh", str(book), "--quiet", "--no-backup"], standalone_mode=False)
        assert gc.isenabled() and gc.get_freeze_count() == 0
        gc.collect()
        assert gone() is None
    finally:
        (gc.enable if was else gc.disable)()
