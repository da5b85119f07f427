"""onca._closing.Closing: ``with`` returns the object and closes it, also when the body raises."""

from __future__ import annotations

import pytest

from onca._closing import Closing


class _Held(Closing):
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_with_returns_the_object_and_closes_it_once() -> None:
    held = _Held()
    with held as inside:
        assert inside is held
        assert held.closed == 0
    assert held.closed == 1


def test_closes_when_the_body_raises_and_lets_the_error_through() -> None:
    held = _Held()
    with pytest.raises(RuntimeError, match="boom"), held:
        raise RuntimeError("boom")
    assert held.closed == 1


def test_a_subclass_without_close_says_so() -> None:
    class _Forgetful(Closing):
        pass

    with pytest.raises(NotImplementedError, match="_Forgetful must define close"):
        _Forgetful().close()
