"""Chuncheon demo data for opportunities; called by `dongne demo` after the network and catalog demo."""


def load_opportunities_demo(secretariat, *, seed=2018):
    """Create the opportunities demo once; return a list of short summary lines (empty when already present)."""
    return []
