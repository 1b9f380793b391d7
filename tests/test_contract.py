"""The test-cell contract's building blocks: call, check_value, the memory checks, cases, rules."""
import warnings

import numpy as np
import pytest
import torch

from autograder import (
    AFTER_BACKWARD,
    BY_HAND,
    GradingError,
    call,
    cases,
    check_gradient,
    check_shares_memory,
    check_tensor,
    check_unchanged,
    check_value,
)


def mistake_of(check, *args, **kwargs):
    with pytest.raises(GradingError) as caught:
        check(*args, **kwargs)
    message = str(caught.value)
    chinese, english = message.split("\n", 1)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english), message
    return caught.value.mistake, message


# ---------------------------------------------------------------- call

def test_call_returns_what_the_function_returns():
    assert call(lambda a, b=1: a + b, 2, b=3, name="f(2)") == 5


def test_call_names_an_unanswered_stub():
    def stub(x):
        raise NotImplementedError()
    mistake, message = mistake_of(call, stub, 1, name="stub(1)")
    assert mistake == "unanswered" and "stub(1)" in message and "not answered yet" in message


def test_call_explains_a_pytorch_error_inside_the_function():
    def flatten(x):
        return x.view(-1)
    mistake, message = mistake_of(call, flatten, torch.ones(2, 3).T, name="flatten(x)")
    assert mistake == "function_raised"
    assert "Calling flatten(x) failed" in message and "use reshape()" in message


def test_call_explains_backward_twice():
    def twice(x):
        y = (x.exp()).sum()
        y.backward()
        y.backward()
    mistake, message = mistake_of(call, twice, torch.ones(2, requires_grad=True), name="twice(x)")
    assert "retain_graph=True" in message


def test_call_keeps_warnings_away_from_stderr():
    def noisy(x):
        warnings.warn("torch says something", UserWarning)
        return x
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert call(noisy, 3) == 3


def test_call_refuses_what_cannot_be_called():
    mistake, _ = mistake_of(call, 42, name="answer(1)")
    assert mistake == "not_callable"


# ---------------------------------------------------------------- check_value

def test_check_value_takes_a_shape_in_any_spelling():
    check_value(torch.Size([2, 3]), (2, 3))
    check_value([2, 3], (2, 3))
    check_value(np.int64(4), 4)


def test_check_value_names_the_exercise_mistake_and_never_shows_the_answer():
    mistake, message = mistake_of(check_value, (3, 2), (2, 3), name="shape_c",
                                  mistakes={"transposed": (3, 2)})
    assert mistake == "transposed" and "(2, 3)" not in message
    mistake, message = mistake_of(check_value, (4, 4), (2, 3), name="shape_c")
    assert mistake == "wrong_prediction" and "(2, 3)" not in message


def test_check_value_matches_a_mistake_of_another_type_than_the_answer():
    mistake, _ = mistake_of(check_value, (3,), None, mistakes={"wrong_prediction": (3,)})
    assert mistake == "wrong_prediction"


def test_check_value_refuses_one_for_true():
    mistake, message = mistake_of(check_value, 1, True, name="shares")
    assert mistake == "wrong_answer_type" and "True or False" in message


# ---------------------------------------------------------------- memory

def test_shares_memory_by_storage_not_by_identity():
    x = torch.arange(6.0)
    check_shares_memory(x[2:], x)           # a view with an offset still shares
    check_shares_memory(x.clone(), x, shares=False)
    assert mistake_of(check_shares_memory, x.clone(), x)[0] == "copy_instead_of_view"
    assert mistake_of(check_shares_memory, x.view(2, 3), x, shares=False)[0] == "view_instead_of_copy"


def test_shares_memory_with_numpy():
    array = np.zeros(3, dtype=np.float32)
    check_shares_memory(torch.from_numpy(array), array)
    check_shares_memory(torch.tensor(array), array, shares=False)


def test_check_unchanged():
    x = torch.ones(3)
    before = x.clone()
    check_unchanged(x, before)
    x += 1
    assert mistake_of(check_unchanged, x, before, name="x")[0] == "input_modified"


# ---------------------------------------------------------------- cases

def test_cases_are_seeded_on_the_device_and_leave_the_global_stream_alone():
    torch.manual_seed(0)
    state = torch.get_rng_state()
    a, b = cases.randn(3, 4, seed=7), cases.randn(3, 4, seed=7)
    assert torch.equal(a, b) and a.device.type == cases.device().type
    assert not torch.equal(a, cases.randn(3, 4, seed=8))
    assert torch.equal(torch.get_rng_state(), state)
    assert cases.randn(2, seed=1, dtype=cases.widest_float()).dtype == cases.widest_float()
    values = cases.randint(0, 3, (50,), seed=2)
    assert values.dtype == torch.int64 and set(values.tolist()) <= {0, 1, 2}


# ---------------------------------------------------------------- rules

def test_k_times_is_accumulation_only_where_backward_ran():
    expected = torch.tensor([1.0, -2.0, 3.0])
    assert mistake_of(check_gradient, 3 * expected, expected)[0] == "accumulated_gradient"
    assert mistake_of(check_gradient, 3 * expected, expected, rules=BY_HAND)[0] == "constant_factor"
    assert mistake_of(check_gradient, expected / 3, expected, rules=BY_HAND)[0] == "constant_factor"
    assert AFTER_BACKWARD != BY_HAND


def test_exercise_mistakes_come_before_the_shape():
    pred, target = torch.arange(3.0)[:, None], torch.tensor([0.0, 2.0, 5.0])
    expected = (pred[:, 0] - target) ** 2
    mistake, _ = mistake_of(check_tensor, (pred - target) ** 2, expected,
                            mistakes={"wrong_values": (pred - target) ** 2})
    assert mistake == "wrong_values"
    mistake, message = mistake_of(check_tensor, (pred - target) ** 2, expected)
    assert mistake == "wrong_shape" and "broadcast" in message


def test_a_mistake_of_another_dtype_only_matches_that_dtype():
    expected = torch.tensor([1.0, 2.0])
    as_int = torch.tensor([1, 2])
    assert mistake_of(check_tensor, as_int, expected,
                      mistakes={"int_instead_of_float": as_int})[0] == "int_instead_of_float"
    check_tensor(torch.tensor([1.0, 2.0]), expected, mistakes={"int_instead_of_float": as_int})


def test_called_again_names_an_answer_that_changes_from_call_to_call():
    from autograder import called_again
    first = torch.tensor([3, 1, 2])
    expected = torch.tensor([5, 4, 6])
    check_tensor(first.clone(), first, rules=called_again(first))  # right: the rule is never asked
    mistake, message = mistake_of(check_tensor, first, expected, name="roll(3)",
                                  rules=called_again(torch.tensor([2, 2, 2])))
    assert mistake == "not_reproducible" and "Called again with the same arguments" in message
    mistake, _ = mistake_of(check_tensor, first, expected, rules=called_again(first.clone()))
    assert mistake == "wrong_values"  # the same twice: wrong for another reason
