"""Chuncheon demo data for spaces; called by `dongne demo` after the network and catalog demo."""


def load_spaces_demo(secretariat, *, seed=2018):
    """Create the spaces demo once; return a list of short summary lines (empty when already present)."""
    return []
