"""The catalogue of mistakes: what each one is and what to do about it, in Chinese and English.

A check's message is the facts it found (names, shapes, values) followed by one of these
explanations. Exercise authors pass these keys in ``mistakes=`` to name exercise-specific errors.
"""
from helpers.text import bilingual

EXPLANATIONS = {
    # Exercise-specific mistakes: an author lists the ones an exercise invites.
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
    # Diagnosed automatically by the checks.
    "answer_is_none": (
        "函数可能漏写了 return，或者这个变量还没有被赋值。",
        "A function may be missing its return statement, or the variable was never assigned.",
    ),
    "not_a_tensor": (
        "用 torch 的函数计算，结果就一直是张量；.item()、.tolist()、.numpy() 和 math 模块的函数"
        "都会把结果变成别的类型。",
        "Computing with torch functions keeps the result a tensor; .item(), .tolist(), .numpy() "
        "and the math module's functions turn it into something else.",
    ),
    "not_a_number": (
        "这里需要一个数：Python 的 int 或 float，或者只含一个元素的张量（可以用 .item() 取出它的值）。",
        "A single number is needed here: a Python int or float, or a tensor with one element "
        "(.item() gives its value).",
    ),
    "unsupported_tensor": (
        "检查只比较普通的张量：稠密、实数、有数值。",
        "The checks compare ordinary tensors only: dense, real and holding values.",
    ),
    "wrong_shape": (
        "形状必须一致才能比较数值。打印中间结果的 .shape，找出是哪一步改变了形状。",
        "The shapes must match before the values can be compared. Print the .shape of the "
        "intermediate results to find the step that changes it.",
    ),
    "wrong_dtype": (
        "数据类型决定了数值的精度和能做的运算：例如整数张量不能保存小数，也不能求梯度。",
        "The dtype decides the precision and which operations are possible: an integer tensor, "
        "for example, cannot hold fractions or have a gradient.",
    ),
    "nan_or_inf": (
        "NaN 和 inf 通常来自 0/0、对 0 或负数取 log、对负数开平方、exp 溢出，或者学习率太大让数值发散。"
        "用 torch.isnan(t).any() 逐步检查，找出它第一次出现的那一步。",
        "NaN and inf usually come from 0/0, the log of 0 or of a negative number, the square root "
        "of a negative number, an overflowing exp, or a learning rate so large that the values "
        "blow up. Check each step with torch.isnan(t).any() to find where it first appears.",
    ),
    "wrong_values": (
        "检查公式和运算顺序；可以先在一个能手算的小例子上试一试。",
        "Check the formula and the order of operations; try a small example you can work out by "
        "hand first.",
    ),
    "gradient_none": (
        "反向传播没有到达这个张量，所以它的 .grad 还是 None。逐条检查：创建它时是否设置了 "
        "requires_grad=True；是否对损失调用了 loss.backward()；它是不是非叶子张量（非叶子张量默认不保存 "
        ".grad，要先调用 .retain_grad()）；是否用 detach()、.data 或 torch.no_grad() 切断了计算图；"
        "backward() 之后是否又重新创建了这个张量。",
        "The backward pass never reached this tensor, so its .grad is still None. Check: was it "
        "created with requires_grad=True? Did you call loss.backward()? Is it a non-leaf tensor "
        "(those keep no .grad unless you call .retain_grad() first)? Did detach(), .data or "
        "torch.no_grad() cut the computation graph? Was the tensor re-created after backward()?",
    ),
    "gradient_zero": (
        "通往损失的路径被切断了：计算中用了 detach()、.data、.item() 或 torch.no_grad()，"
        "损失就不再依赖这个张量。另一个可能是 backward() 之后 .grad 又被 zero_() 清空了。",
        "The path to the loss was cut: detach(), .data, .item() or torch.no_grad() in the "
        "computation stop the loss from depending on this tensor. Or .grad was cleared with "
        "zero_() after backward().",
    ),
    "derivative_zero": (
        "你可能返回了占位的 torch.zeros_like(x)，或者把含 x 的项当成常数求导了。",
        "You may have returned a placeholder torch.zeros_like(x), or differentiated a term that "
        "contains x as if it were a constant.",
    ),
    "tensor_instead_of_grad": (
        "你传入的是张量本身，而不是它的梯度：请使用它的 .grad。",
        "You passed the tensor itself instead of its gradient: use its .grad.",
    ),
    "sign_flipped": (
        "检查减号：例如 (cos x)' = -sin x，(1/x)' = -1/x²；(y - p)² 对 p 求导得 -2(y - p)，"
        "内层函数的导数带一个负号。",
        "Check the minus signs: for example (cos x)' = -sin x and (1/x)' = -1/x²; the derivative "
        "of (y - p)² with respect to p is -2(y - p), because the inner derivative is negative.",
    ),
    "transposed": (
        "对矩阵乘法 Y = X @ W，损失对 W 的梯度是 X.T @ G，对 X 的梯度是 G @ W.T（G 是损失对 Y 的梯度）。"
        "转置放错位置，得到的就是转置后的结果。",
        "For a matrix product Y = X @ W, the gradient of the loss with respect to W is X.T @ G "
        "and with respect to X it is G @ W.T (G is the gradient with respect to Y). A transpose "
        "in the wrong place gives the transposed result.",
    ),
    "accumulated_gradient": (
        "梯度会累加：每次 backward() 都把新的梯度加到 .grad 上，而不是覆盖它。如果 backward() 运行了多次"
        "（在循环里，或者单元格被重复运行），请在每次 backward() 之前用 x.grad.zero_()"
        "（或 optimizer.zero_grad()）清零，然后从头重新运行。",
        "Gradients accumulate: every backward() adds the new gradient to .grad instead of "
        "replacing it. If backward() ran several times (in a loop, or because a cell was run "
        "again), zero it with x.grad.zero_() (or optimizer.zero_grad()) before each backward(), "
        "then run again from the top.",
    ),
    "divided_gradient": (
        "梯度被多除了一个常数。检查是否多做了一次 mean() 或多除了一次批量大小；如果损失是求和，就不要用 mean()。",
        "The gradient was divided by a constant once too often. Look for an extra mean() or an "
        "extra division by the batch size; if the loss is a sum, do not use mean().",
    ),
    "constant_factor": (
        "常数因子不对。检查幂函数的求导法则 (xⁿ)' = n·xⁿ⁻¹，以及链式法则从内层函数带出来的常数"
        "（例如 (e^(3x))' = 3·e^(3x)）。",
        "A constant factor is off. Check the power rule (xⁿ)' = n·xⁿ⁻¹ and the constants that "
        "the chain rule brings out of the inner function (for example (e^(3x))' = 3·e^(3x)).",
    ),
    "unanswered": (
        "把 raise NotImplementedError() 换成你的代码。",
        "Replace raise NotImplementedError() with your code.",
    ),
    "autograd_in_derivative": (
        "这里自动求导是关闭的（你的函数在 torch.no_grad() 中运行）：不要调用 backward() 或 "
        "torch.autograd.grad()，而是用求导法则写出导数公式，例如 x³ 的导数写成 3 * x**2。",
        "Autograd is off here (your function runs under torch.no_grad()): do not call backward() "
        "or torch.autograd.grad(); compute the derivative with a formula instead, for example "
        "3 * x**2 for the derivative of x³.",
    ),
    "function_raised": (
        "在一个单元格里用小张量调用你的函数（例如 torch.linspace(-2, 2, 5)），看看是哪一行出错。",
        "Call your function in a cell on a small tensor (for example torch.linspace(-2, 2, 5)) "
        "to see which line fails.",
    ),
    "could_not_check": (
        "请确认答案是普通的张量或数字，然后再运行一次；如果问题仍然存在，请把这条信息发给助教。",
        "Make sure your answer is an ordinary tensor or number and run it again; if it still "
        "fails, send this message to your teaching assistant.",
    ),
    "check_misconfigured": (
        "这不是你的错：请把这条信息发给助教。",
        "This is not your fault: please send this message to your teaching assistant.",
    ),
}

MISTAKES = {key: bilingual(zh, en) for key, (zh, en) in EXPLANATIONS.items()}
