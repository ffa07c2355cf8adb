"""Chuncheon demo data for governance; called by `dongne demo` after the network and catalog demo."""


def load_governance_demo(secretariat, *, seed=2018):
    """Create the governance demo once; return a list of short summary lines (empty when already present)."""
    return []
