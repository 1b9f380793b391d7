"""Chapter 06 (custom autograd Function): the mistakes its exercises invite, and what some PyTorch
errors mean when they come from a custom Function.

    MISTAKES        {key: (zh, en)}: what check_function diagnoses by itself, then the mistakes of
                    the assignment's exercises
    TORCH_ERRORS    [(pattern, zh, en)], tried before autograder.student.errors.GENERAL
"""

MISTAKES = {
    # ---- what check_function diagnoses by itself (autograder/student/functions.py)
    "not_a_function": (
        "自定义 Function 是一个继承 torch.autograd.Function 的类：class MyFn(torch.autograd.Function):，"
        "里面写静态方法 forward(ctx, ...) 和 backward(ctx, grad_output)，用 MyFn.apply(...) 调用。",
        "A custom Function is a class that subclasses torch.autograd.Function: "
        "class MyFn(torch.autograd.Function):, with static methods forward(ctx, ...) and "
        "backward(ctx, grad_output), called as MyFn.apply(...).",
    ),
    "backward_never_runs": (
        "只有当输出需要梯度时，反向传播才会调用 backward。检查：是不是在 torch.no_grad() 里调用了 .apply，"
        "或者对结果调用了 detach()；forward 是不是返回了整数张量，或者对输出调用了 "
        "ctx.mark_non_differentiable。",
        "The backward pass calls backward only if the output requires a gradient. Check whether "
        ".apply was called inside torch.no_grad() or its result detached, and whether forward "
        "returned an integer tensor or called ctx.mark_non_differentiable on its output.",
    ),
    "forward_builds_graph": (
        "结果必须由你的 Function 通过 .apply 产生：直接用 PyTorch 运算写出公式，或者直接调用 "
        "forward(...)（不经过 .apply），自动求导就会记录这些运算并自己求导，backward 永远用不上。"
        "在函数里返回 MyFn.apply(...)。",
        "The result must come from your Function through .apply: writing the formula with PyTorch "
        "operations, or calling forward(...) directly (not through .apply), lets autograd record "
        "those operations and differentiate them itself, and backward is never used. Return "
        "MyFn.apply(...) from the function.",
    ),
    "forward_called_directly": (
        "Function 只能通过 .apply 使用：MyFn.apply(x) 会创建 ctx、运行 forward，并把输出挂在这个 Function "
        "自己的节点上；直接调用 MyFn.forward(...)（或者创建 MyFn 的实例）只是把 forward 当普通函数运行，"
        "没有 ctx，也没有节点，backward 永远用不上。测试运行你的代码时只提供 .apply。",
        "A Function is used through .apply only: MyFn.apply(x) creates ctx, runs forward and hangs "
        "the output on the Function's own node; calling MyFn.forward(...) directly (or making an "
        "instance of MyFn) runs forward as a plain function, with no ctx and no node, so backward "
        "is never used. The tests run your code with .apply only.",
    ),
    "tensor_on_ctx": (
        "张量要用 ctx.save_for_backward(...) 保存、在 backward 里用 ctx.saved_tensors 取出；"
        "直接挂在 ctx 上的张量没有原地修改检查，还可能造成内存泄漏。只有数字、形状这类非张量才挂在 ctx 上。",
        "Tensors are saved with ctx.save_for_backward(...) and read back in backward with "
        "ctx.saved_tensors; a tensor hung directly on ctx escapes the in-place modification "
        "check and can leak memory. Only non-tensors such as numbers and shapes go on ctx.",
    ),
    "grad_output_modified": (
        "grad_output 属于自动求导：同一个张量可能还要传给别的节点。backward 里要用 grad_output * ... 这样"
        "不带下划线的运算得到新的张量，不要写 grad_output.mul_(...) 或 grad_output *= ...。",
        "grad_output belongs to autograd: the same tensor may still be passed to other nodes. "
        "Compute a new tensor in backward with out-of-place operations such as grad_output * ..., "
        "never grad_output.mul_(...) or grad_output *= ....",
    ),
    "saved_input_not_output": (
        "这个函数的导数可以只用输出表示，所以应当保存输出：在 forward 里先算出结果 y，"
        "再 ctx.save_for_backward(y)，backward 里用 y 计算导数，不必再算一遍函数。",
        "This function's derivative can be written with its output alone, so save the output: "
        "compute the result y in forward, call ctx.save_for_backward(y), and use y in backward "
        "instead of computing the function again.",
    ),
    "wrong_gradient_count": (
        "backward 要为 forward 的每一个输入（ctx 之后的每个参数）各返回一个值，按相同的顺序；"
        "非张量输入（数字、布尔值等）和不需要梯度的输入返回 None。两个以上的值写成元组：return grad_x, None。",
        "backward returns one value for every input of forward (every parameter after ctx), in "
        "the same order; return None for a non-tensor input (a number, a bool) or one that needs "
        "no gradient. Return several values as a tuple: return grad_x, None.",
    ),
    "gradient_for_non_tensor": (
        "非张量输入没有梯度：backward 在它的位置上必须返回 None。",
        "A non-tensor input has no gradient: backward must return None in its place.",
    ),
    "gradient_missing": (
        "这个输入需要梯度，backward 却返回了 None，梯度就在这里断掉了。只有非张量输入、"
        "或者 ctx.needs_input_grad 里为 False 的输入，才可以返回 None。",
        "This input needs a gradient, but backward returned None, so the gradient stops here. "
        "Return None only for a non-tensor input or one whose ctx.needs_input_grad entry is False.",
    ),
    "broadcast_not_summed": (
        "一个被广播的输入参与了输出的很多个元素，它的梯度是这些元素的梯度之和，形状要和输入本身相同。"
        "在广播新增的维度（前面多出来的维度）上求和，原来大小为 1 的维度用 keepdim=True 保留；"
        "grad.sum_to_size(inp.shape) 一步做完。",
        "A broadcast input takes part in many elements of the output; its gradient is the sum of "
        "theirs and has the input's own shape. Sum over the dimensions broadcasting added (the "
        "extra leading ones) and keep the dimensions that had size 1 with keepdim=True; "
        "grad.sum_to_size(inp.shape) does it in one step.",
    ),
    "gradient_wrong_shape": (
        "每个梯度的形状必须和它对应的输入完全相同。检查求和的维度和 keepdim：只在广播新增的维度上求和，"
        "不要多也不要少。",
        "Each gradient must have exactly the shape of its input. Check the dimensions you sum "
        "over and keepdim: sum over the dimensions broadcasting added, no more and no fewer.",
    ),
    "grad_output_ignored": (
        "backward 只返回了局部导数，没有乘 grad_output。只有 grad_output 全为 1 时（例如直接调用 "
        "y.sum().backward()）这样才碰巧正确；输出之后只要还有别的运算，结果就错了。"
        "链式法则：返回 grad_output * 局部导数。",
        "backward returned only the local derivative without multiplying by grad_output. That is "
        "right only by luck when grad_output is all ones (as in y.sum().backward()); as soon as "
        "anything comes after the output, it is wrong. The chain rule: return grad_output * the "
        "local derivative.",
    ),
    "backward_mismatch": (
        "backward 算出的导数和 forward 本身的导数对不上。先在纸上推出导数，再用 "
        "torch.autograd.gradcheck(MyFn.apply, (x,)) 检查（x 用 float64、requires_grad=True）。",
        "The derivative backward computes does not match the derivative of forward itself. Work "
        "the derivative out on paper, then test with torch.autograd.gradcheck(MyFn.apply, (x,)) "
        "(x in float64 with requires_grad=True).",
    ),
    "not_twice_differentiable": (
        "要支持二阶导数，backward 本身必须用可求导的 PyTorch 运算写成：不要加 @once_differentiable，"
        "不要用 torch.no_grad()、detach()、.data、.item() 或 NumPy。用 ctx.saved_tensors 取出的张量可以直接参与运算。",
        "To support second derivatives, backward itself must be written with differentiable "
        "PyTorch operations: no @once_differentiable, no torch.no_grad(), detach(), .data, "
        ".item() or NumPy. The tensors from ctx.saved_tensors can be used in the computation as "
        "they are.",
    ),
    "second_derivative_wrong": (
        "一阶导数正确，但对它再求导时少了一部分：backward 里某个因子被当成了常数"
        "（用了 detach()、.data，或者重新创建了张量）。让每个依赖输入的因子都来自 ctx.saved_tensors 或 grad_output。",
        "The first derivative is right, but differentiating it again misses a part: a factor in "
        "backward was treated as a constant (detach(), .data, or a tensor created anew). Let every "
        "factor that depends on the input come from ctx.saved_tensors or grad_output.",
    ),
    # ---- the assignment's exercises
    "topk_gradient_not_scattered": (
        "backward 把 grad_values 原样当成了 x 的梯度，可它的形状是 values 的 (..., k)，不是 x 的 (..., n)。"
        "values 的每个值来自 x 最后一维上的某个位置（就是 indices 里记下的那个），它的梯度要回到那个位置，"
        "其余位置是 0：torch.zeros_like(...) 之后 .scatter(-1, indices, grad_values)。",
        "backward handed grad_values back as the gradient for x, but it has the shape (..., k) of "
        "values, not the shape (..., n) of x. Each entry of values came from one position along the "
        "last dimension of x (the one recorded in indices), and its gradient goes back to that "
        "position, with 0 everywhere else: .scatter(-1, indices, grad_values) into zeros of x's shape.",
    ),
    "mean_instead_of_sum": (
        "一个输入如果在输出的很多个位置上都用到了（被广播的 b，每个样本都用到的 W），它的梯度是这些位置的梯度之和，"
        "不是平均值：用 sum，不要用 mean，也不要除以样本数。",
        "An input used at many positions of the output (a broadcast b, a W that every sample uses) "
        "gets the sum of the gradients from all those positions, not their mean: use sum, not mean, "
        "and do not divide by the number of samples.",
    ),
    "output_treated_as_input": (
        "保存的是输出 y = tanh(x)，所以导数直接写成 1 - y²；再对 y 取一次 tanh 就成了 1 - tanh(y)²，"
        "那是把输出当成了输入。",
        "What was saved is the output y = tanh(x), so the derivative is simply 1 - y²; taking "
        "tanh of y once more, 1 - tanh(y)², treats the output as if it were the input.",
    ),
    "needs_grad_tensors_only": (
        "ctx.needs_input_grad 为 forward 的每一个输入各占一个位置，包括非张量输入（它们总是 False），"
        "所以它的长度和 forward 的参数个数（不算 ctx）相同。",
        "ctx.needs_input_grad has one entry for every input of forward, non-tensor inputs "
        "included (those are always False), so its length is the number of forward's parameters "
        "(not counting ctx).",
    ),
    "needs_grad_non_tensor": (
        "只有张量才有 requires_grad：数字、字符串、None 这类非张量输入在 needs_input_grad 里的位置总是 False。"
        "先用 isinstance(a, torch.Tensor) 判断，再读 a.requires_grad。",
        "Only tensors have requires_grad: the entry of a non-tensor input such as a number, a "
        "string or None is always False. Test isinstance(a, torch.Tensor) before reading "
        "a.requires_grad.",
    ),
    "needs_grad_leaves_only": (
        "needs_input_grad 看的是输入是不是需要梯度（requires_grad），不看它是不是叶子张量："
        "由需要梯度的张量算出来的非叶子张量（例如 a * 3）也需要梯度，它的位置是 True。",
        "needs_input_grad asks whether an input requires grad (requires_grad), not whether it is a "
        "leaf tensor: a non-leaf tensor computed from one that requires grad (a * 3, say) requires "
        "grad too, so its entry is True.",
    ),
    "detached_needs_grad": (
        "needs_input_grad 跟着 requires_grad 走，不看数据类型：不需要梯度的浮点张量（创建时没有 "
        "requires_grad=True，或者是 detach() 得到的，哪怕它由需要梯度的张量算出来）在这里是 False，"
        "梯度也不会经过它传回原来的张量。",
        "needs_input_grad follows requires_grad, not the dtype: a floating-point tensor that "
        "requires no gradient (created without requires_grad=True, or from detach(), even when it "
        "was computed from one that does) has False here, and no gradient flows back through it "
        "to the original tensor.",
    ),
}

TORCH_ERRORS = [
    (r"non-static forward method",
     "forward 和 backward 都必须是静态方法：在它们上面加 @staticmethod，并用 类名.apply(...) 调用 Function，"
     "不要创建它的实例。",
     "forward and backward must both be static methods: put @staticmethod above them, and call "
     "the Function as ClassName.apply(...) without creating an instance of it."),
    (r"You must implement either the backward or vjp method",
     "这个 Function 没有 backward 方法：检查名字的拼写（backward，不是 backwards），以及它有没有 @staticmethod。",
     "This Function has no backward method: check the spelling of its name (backward, not "
     "backwards) and that it has @staticmethod."),
    (r"save_for_backward can only save variables",
     "ctx.save_for_backward 只能保存张量；数字、布尔值这类非张量直接挂在 ctx 上，例如 ctx.alpha = alpha。",
     "ctx.save_for_backward saves tensors only; put non-tensors such as numbers and bools "
     "directly on ctx, for example ctx.alpha = alpha."),
    (r"Expected self.dtype to be equal to src.dtype",
     "scatter 的目标张量和 grad_values 的数据类型不一样：准备零张量时给出 dtype=grad_values.dtype 和 "
     "device=grad_values.device（torch.zeros 默认是 float32，而测试也会用 float64 检查）。",
     "The tensor scatter writes into has another dtype than grad_values: make the zeros with "
     "dtype=grad_values.dtype and device=grad_values.device (torch.zeros makes float32 by "
     "default, and the tests check in float64 too)."),
    (r"shape mismatch: value tensor of shape .* cannot be broadcast to indexing result",
     "用 indices 这样的整数张量做索引，选中的是第 0 维上的整行，而不是最后一维上的位置。要把值放回最后一维上"
     "记下的位置，用 .scatter(-1, indices, values)。",
     "Indexing with an integer tensor such as indices picks whole rows along dimension 0, not "
     "positions along the last dimension. To put values back at the positions recorded along the "
     "last dimension, use .scatter(-1, indices, values)."),
    (r"tensor.mT is only supported on matrices",
     ".mT 只对矩阵（和一批矩阵）有定义，而输入也可能是一个向量，一个批量维度都没有。先把前面的维度展平，"
     "例如 X.reshape(-1, X.shape[-1])，这样每种形状都变成一个矩阵。",
     ".mT is defined for matrices (and batches of them) only, and an input may also be a vector "
     "with no batch dimension at all. Flatten the leading dimensions first, for example "
     "X.reshape(-1, X.shape[-1]), so that every shape becomes a matrix."),
    (r"returned an incorrect number of gradients",
     "backward 返回值的个数要等于 forward 的输入个数（不算 ctx），非张量输入的位置返回 None。",
     "backward must return as many values as forward has inputs (not counting ctx), with None "
     "for a non-tensor input."),
    (r"returned an invalid gradient at index",
     "backward 返回的某个梯度和对应输入的形状不符：每个梯度的形状要和它的输入相同。",
     "A gradient backward returned does not fit the shape of its input: each gradient must have "
     "its input's shape."),
    (r"forward\(\) (takes \d+ positional arguments? but \d+ (were|was) given|missing \d+ required positional)",
     "forward 的第一个参数是 ctx，输入从第二个参数开始：def forward(ctx, x)。调用时不要传 ctx：MyFn.apply(x)。",
     "The first parameter of forward is ctx, the inputs come after it: def forward(ctx, x). Do "
     "not pass ctx when calling: MyFn.apply(x)."),
    (r"backward\(\) (takes \d+ positional arguments? but \d+ (were|was) given|missing \d+ required positional)",
     "backward 的参数是 ctx 加上 forward 每个输出的 grad_output：输出只有一个时写 def backward(ctx, grad_output)。",
     "backward takes ctx plus one grad_output per output of forward: with a single output, "
     "def backward(ctx, grad_output)."),
]
