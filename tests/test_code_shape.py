"""Units stay small enough to read in one go: a long function usually hides a second idea."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from helpers.builders import ROOT

MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 200


def _units() -> Iterator[tuple[str, ast.AST, int]]:
    for package in ("bot", "store"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    assert node.end_lineno is not None
                    where = f"{Path(path).relative_to(ROOT)}:{node.lineno} {node.name}"
                    yield where, node, node.end_lineno - node.lineno + 1


def test_no_function_in_bot_or_store_is_longer_than_sixty_lines() -> None:
    long = [
        f"{where} ({lines} lines)"
        for where, node, lines in _units()
        if not isinstance(node, ast.ClassDef) and lines > MAX_FUNCTION_LINES
    ]
    assert not long


def test_no_class_in_bot_or_store_is_longer_than_two_hundred_lines() -> None:
    long = [
        f"{where} ({lines} lines)"
        for where, node, lines in _units()
        if isinstance(node, ast.ClassDef) and lines > MAX_CLASS_LINES
    ]
    assert not long
