"""The rules engine's outcome and its Korean explanation (제29조①②, 제32조④)."""

from dongne.governance.choices import ItemKind, Outcome
from dongne.governance.engine import decide


def test_ordinary_resolution_explained_as_the_act_reads():
    d = decide(board=False, kind=ItemKind.ORDINARY, roster=50, present=31, proxies=4, yes=22, no=7, abstain=2)
    assert d.outcome == Outcome.PASSED and d.quorum_met
    assert d.explanation.startswith("재적 50명 중 출석 31명(위임 4명 포함), 찬성 22명 = 출석 과반 → 가결")
    assert "협동조합 기본법 제29조②" in d.explanation


def test_ordinary_resolution_fails_without_a_majority_of_those_present():
    d = decide(board=False, kind=ItemKind.ORDINARY, roster=50, present=31, proxies=4, yes=15)
    assert d.outcome == Outcome.REJECTED
    assert "찬성 15명 < 출석 과반(16명) → 부결" in d.explanation


def test_special_resolution_needs_two_thirds():
    passed = decide(board=False, kind=ItemKind.SPECIAL, roster=50, present=31, proxies=4, yes=21)
    assert passed.outcome == Outcome.PASSED
    assert "출석 3분의 2(21명) → 가결" in passed.explanation and "제29조①" in passed.explanation
    # a simple majority is not enough
    failed = decide(board=False, kind=ItemKind.SPECIAL, roster=50, present=31, proxies=4, yes=20)
    assert failed.outcome == Outcome.REJECTED
    assert "찬성 20명 < 출석 3분의 2(21명) → 부결" in failed.explanation


def test_without_a_majority_of_the_roll_there_is_no_quorum():
    d = decide(board=False, kind=ItemKind.ORDINARY, roster=50, present=25, proxies=0, yes=25)
    assert d.outcome == Outcome.NO_QUORUM and not d.quorum_met
    assert "재적 과반(26명)" in d.explanation and "의사정족수 미달" in d.explanation


def test_board_majority_of_directors():
    d = decide(board=True, kind=ItemKind.ORDINARY, roster=5, present=3, proxies=0, yes=2)
    assert d.outcome == Outcome.PASSED
    assert d.explanation.startswith("재적 이사 5명 중 출석 3명, 찬성 2명 = 출석 과반 → 가결")
    assert "제32조④" in d.explanation
    assert (
        decide(board=True, kind=ItemKind.ORDINARY, roster=5, present=2, proxies=0, yes=2).outcome
        == Outcome.NO_QUORUM
    )


def test_a_report_is_noted_without_a_vote():
    assert (
        decide(board=False, kind=ItemKind.REPORT, roster=5, present=0, proxies=0, yes=0).outcome
        == Outcome.NOTED
    )
