"""Mistakes any exercise can make: what the checks diagnose by themselves (not a tensor, wrong
shape or dtype, NaN, a gradient that never arrived, a sign or a factor off) and the messages of the
checks themselves."""

MISTAKES = {
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
        "这道题练的是自己推导：不要调用 backward()、torch.autograd.grad()、torch.func 或 "
        "requires_grad_()，而是用求导法则写出导数公式，例如 x³ 的导数写成 3 * x**2。",
        "This exercise trains your own derivation: do not call backward(), torch.autograd.grad(), "
        "torch.func or requires_grad_(); compute the derivative with a formula instead, for "
        "example 3 * x**2 for the derivative of x³.",
    ),
    "not_allowed_here": (
        "这道题的测试按你写的源代码运行你的函数，运行它的解释器只认识 torch 的张量运算、math 模块和几个"
        "内置函数（len、range、abs、min、max、sum 等），以及你自己定义的函数和类。请只用这些改写那一行。",
        "The tests of this exercise run your function from the source you wrote, with an "
        "interpreter that knows only torch's tensor operations, the math module, a few builtins "
        "(len, range, abs, min, max, sum, ...) and your own functions and classes. Rewrite that "
        "line with these.",
    ),
    "function_raised": (
        "在一个新的单元格里用一个能手算的小例子调用你的函数，看看是哪一行出错。",
        "Call your function in a new cell on a small example you can check by hand to see which "
        "line fails.",
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
    "not_callable": (
        "这里需要一个函数：检查答案单元格里是否用 def 定义了它，名字和参数是否与题目一致。",
        "A function is needed here: check that the answer cell defines it with def, with the name "
        "and parameters the exercise gives.",
    ),
    "wrong_answer_type": (
        "按题目要求的类型作答。",
        "Answer with the type the exercise asks for.",
    ),
    "wrong_prediction": (
        "再读一遍题目里的代码，一步一步推算；推算完再运行代码验证，想清楚哪一步和你想的不一样。",
        "Read the code in the exercise again and work it out step by step; then run it to check, "
        "and find the step that differs from what you expected.",
    ),
    "copy_instead_of_view": (
        "视图与原张量共享存储，改一个另一个也会变；基本索引（整数、切片）、view()、transpose() 和 "
        "expand() 返回视图（detach() 和 .data 也共享存储，不过它们是别名，不是视图），而 clone()、"
        "高级索引（下标列表、布尔掩码）和大多数运算会复制。"
        "用 a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr() 检查是否共享。",
        "A view shares its storage with the original, so changing one changes the other; basic "
        "indexing (integers, slices), view(), transpose() and expand() return views (detach() and "
        ".data share the storage too, as aliases rather than views), while clone(), advanced "
        "indexing (lists of indices, boolean masks) and most operations copy. Check sharing with "
        "a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr().",
    ),
    "view_instead_of_copy": (
        "结果和输入共享内存，以后改其中一个，另一个也会跟着变。需要独立的数据时用 .clone()"
        "（NumPy 数组用 .copy()，或者用 torch.tensor(array) 复制成新的张量）。",
        "The result shares memory with the input, so a later change to one changes the other. "
        "Use .clone() when independent data is needed (for a NumPy array, .copy() or "
        "torch.tensor(array)).",
    ),
    "input_modified": (
        "函数原地修改了它的输入（例如用了 +=、带下划线的方法如 add_()，或者通过切片赋值）。"
        "这里输入必须保持不变：先 .clone()，或者用不带下划线的运算。",
        "The function changed its input in place (with +=, a method ending in an underscore such "
        "as add_(), or assignment through a slice). Here the input must stay unchanged: clone() it "
        "first, or use the out-of-place operation.",
    ),
}
