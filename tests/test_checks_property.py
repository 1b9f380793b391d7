"""Properties of the checks over random shapes, dtypes and requires_grad (hypothesis)."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import GradingError, check_gradient, check_tensor

shapes = st.lists(st.integers(min_value=1, max_value=5), max_size=3).map(tuple)
dtypes = st.sampled_from([torch.float32, torch.float64])
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def random_tensor(shape, dtype, seed):
    """Values in ±[0.5, 2): far enough from zero that k times a value is never the value."""
    generator = torch.Generator().manual_seed(seed)
    size = 0.5 + 1.5 * torch.rand(shape, generator=generator, dtype=dtype)
    sign = torch.randint(0, 2, shape, generator=generator).to(dtype) * 2 - 1
    return size * sign


@settings(max_examples=50, deadline=None)
@given(shape=shapes, dtype=dtypes, requires_grad=st.booleans(), seed=seeds)
def test_right_answer_passes(shape, dtype, requires_grad, seed):
    expected = random_tensor(shape, dtype, seed)
    answer = expected.clone().requires_grad_(requires_grad)
    check_tensor(answer, expected)
    check_gradient(answer, expected)


@settings(max_examples=50, deadline=None)
@given(shape=shapes, dtype=dtypes, requires_grad=st.booleans(), seed=seeds,
       k=st.integers(min_value=2, max_value=10))
def test_k_times_the_gradient_is_diagnosed_as_k_times(shape, dtype, requires_grad, seed, k):
    expected = random_tensor(shape, dtype, seed)
    answer = (k * expected).requires_grad_(requires_grad)
    with pytest.raises(GradingError) as caught:
        check_gradient(answer, expected)
    assert caught.value.mistake == "accumulated_gradient"
    assert f"{k} 倍" in str(caught.value) and f"exactly {k} times" in str(caught.value)
