"""Chapter 05 (autograd): the mistakes its exercises invite."""

MISTAKES = {
    "value_instead_of_derivative": (
        "你返回的是函数值 f(x)，而不是它的导数 f'(x)。先按求导法则写出导数公式，再用 x 计算它。",
        "You returned the function's value f(x) instead of its derivative f'(x). Work out the "
        "derivative with the differentiation rules first, then evaluate it at x.",
    ),
    "missing_inner_derivative": (
        "链式法则少乘了内层函数的导数：f(g(x)) 的导数是 f'(g(x)) · g'(x)。"
        "例如 sin(x²) 的导数是 cos(x²) · 2x。",
        "The chain rule is missing the inner derivative: the derivative of f(g(x)) is "
        "f'(g(x)) · g'(x). For example, the derivative of sin(x²) is cos(x²) · 2x.",
    ),
    "product_rule_missing_term": (
        "乘积法则少了一项：(u·v)' = u'·v + u·v'，两项都要。",
        "The product rule is missing a term: (u·v)' = u'·v + u·v', and you need both terms.",
    ),
    "sum_instead_of_mean": (
        "损失取的是平均值（mean），你却按求和（sum）计算，所以梯度大了 N 倍（N 是元素个数）。"
        "别忘了除以 N。",
        "The loss is a mean, but you computed it as a sum, so the gradient is N times too big "
        "(N is the number of elements). Remember to divide by N.",
    ),
    "mean_instead_of_sum": (
        "损失是求和（sum），你却按平均值（mean）计算，所以梯度小了 N 倍（N 是元素个数）。"
        "这里不要除以 N。",
        "The loss is a sum, but you computed it as a mean, so the gradient is N times too small "
        "(N is the number of elements). Do not divide by N here.",
    ),
    "ignored_vector": (
        "这正是 v 取全 1 时的向量-雅可比积：给定的 v 没有被用上。把它传给 y.backward(v)，"
        "或者作为 torch.autograd.grad（自动求导函数）的 grad_outputs=v。",
        "This is the vector-Jacobian product for a v of all ones: the given v was not used. Pass "
        "it to y.backward(v), or as grad_outputs=v to torch.autograd.grad.",
    ),
    "not_detached": (
        "本该切断梯度的那一项仍然贡献了梯度。把它放进 with torch.no_grad(): 里计算，"
        "或者先对它的输入调用 .detach()。",
        "The term that should be cut off still contributes to the gradient. Compute it inside "
        "with torch.no_grad():, or call .detach() on its input first.",
    ),
    "single_backward": (
        "这只是一次反向传播的梯度。backward() 调用了 n 次而中间没有清零，"
        "每次的梯度都会累加到 .grad 上，所以结果是它的 n 倍。",
        "This is the gradient of a single backward pass. backward() ran n times without zeroing "
        "in between, and every pass accumulates its gradient into .grad, so the result is n "
        "times as large.",
    ),
    "first_derivative_only": (
        "这是一阶导数，不是二阶导数。用 create_graph=True 求出一阶导数，再对它求一次导。",
        "This is the first derivative, not the second. Get the first derivative with "
        "create_graph=True, then differentiate it once more.",
    ),
}
