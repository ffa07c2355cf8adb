import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    """A setting read from the environment but missing from docs/configuration.md fails here."""
    sources = [ROOT / "src/dongne/config/settings.py", ROOT / "src/dongne/core/cli.py"]
    names = set()
    for source in sources:
        names |= set(
            re.findall(r'(?:env|env_bool|env_list|environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"', source.read_text())
        )
    assert "DATABASE_URL" in names and "DONGNE_DATA_DIR" in names
    documented = (ROOT / "docs/configuration.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"undocumented settings: {missing}"
