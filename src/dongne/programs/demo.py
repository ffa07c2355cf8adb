"""Chuncheon demo data for programs; called by `dongne demo` after the network and catalog demo."""


def load_programs_demo(secretariat, *, seed=2018):
    """Create the programs demo once; return a list of short summary lines (empty when already present)."""
    return []
