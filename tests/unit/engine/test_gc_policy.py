import gc

from nifi_like.engine import gc_policy


def test_tune_freezes_what_is_loaded_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        gc_policy.tune(12_345)
        assert gc.get_threshold() == (12_345, 10, 10)
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc_policy.reset()
        gc.set_threshold(*before)
    assert gc.get_freeze_count() == 0


def test_a_zero_threshold_leaves_python_defaults() -> None:
    before = gc.get_threshold()
    gc_policy.tune(0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
