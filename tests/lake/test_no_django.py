"""The lake is plain Python (ARCHITECTURE.md rule 5): nothing under src/dongne/lake imports Django."""

import ast
from pathlib import Path

import dongne.lake

LAKE = Path(dongne.lake.__file__).parent


def django_imports(path: Path, root: Path = LAKE) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [
            f"{path.relative_to(root)}:{node.lineno} {n}"
            for n in names
            if n == "django" or n.startswith("django.")
        ]
    return found


def test_lake_never_imports_django():
    files = sorted(LAKE.rglob("*.py"))
    assert len(files) > 5
    assert [hit for f in files for hit in django_imports(f)] == []


def test_the_check_catches_an_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom django.conf import settings\ndef f():\n    import django\n")
    assert django_imports(bad, tmp_path) == ["bad.py:2 django.conf", "bad.py:4 django"]
