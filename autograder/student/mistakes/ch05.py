"""Chapter 05 (autograd): the mistakes its exercises invite, and what some PyTorch errors mean in
its exercises (``TORCH_ERRORS``, tried before autograder.student.errors.GENERAL). The helpers
its test cells use are in autograder.student.autograd.
"""

MISTAKES = {
    # ---- derivatives and gradients by hand (exercises 1-3)
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
    "sum_instead_of_mean": (
        "损失取的是平均值（mean），你却按求和（sum）计算，所以梯度大了 N 倍（N 是元素个数）。"
        "别忘了除以 N。",
        "The loss is a mean, but you computed it as a sum, so the gradient is N times too big "
        "(N is the number of elements). Remember to divide by N.",
    ),
    "mean_over_rows_only": (
        "损失是对全部 N·k 个元素取平均，你却只除以了行数 N，所以梯度大了 k 倍。"
        "R.numel() 就是 N·k。",
        "The loss is the mean over all N·k elements, but you divided by the number of rows N "
        "only, so the gradient is k times too big. R.numel() is N·k.",
    ),
    "divided_by_n_times_d": (
        "你除以的是 N·d（X 的元素个数），可损失是对 Ŷ 的全部 N·k 个元素取平均：应该除以 N·k，"
        "也就是残差 R 的元素个数 R.numel()，而不是 X.numel()。所以你的梯度差了一个因子 k/d。",
        "You divided by N·d (the number of elements of X), but the loss is the mean over all N·k "
        "elements of Ŷ: divide by N·k, the number of elements of the residual R, R.numel(), not "
        "X.numel(). So your gradient is off by a factor of k/d.",
    ),
    "bias_gradient_not_summed": (
        "b 被广播加到了 N 行的每一行上，所以它的梯度要把 ∂L/∂Ŷ 的 N 行加起来（在第 0 维上求和），"
        "得到形状 (k,)；你返回的是没有求和的 (N, k)。",
        "b was broadcast and added to each of the N rows, so its gradient adds up the N rows of "
        "∂L/∂Ŷ (a sum over dimension 0) and has shape (k,); you returned the (N, k) before that sum.",
    ),
    "ignored_vector": (
        "这正是 v 取全 1 时的向量-雅可比积：给定的 v 没有被用上。vᵀJ 的第 j 个分量是 "
        "Σᵢ vᵢ ∂yᵢ/∂xⱼ，每个输出 yᵢ 都要按 vᵢ 加权。",
        "This is the vector-Jacobian product for a v of all ones: the given v was not used. "
        "Component j of vᵀJ is Σᵢ vᵢ ∂yᵢ/∂xⱼ: every output yᵢ is weighted by vᵢ.",
    ),
    "jacobian_vector_product": (
        "你算的是 J v（按列加权、沿 i 求和的方向反了），而不是 vᵀJ。vᵀJ 的第 j 个分量是 "
        "Σᵢ vᵢ ∂yᵢ/∂xⱼ：固定输入 xⱼ，把所有依赖它的输出 yᵢ 加起来。",
        "You computed J v (summing in the wrong direction), not vᵀJ. Component j of vᵀJ is "
        "Σᵢ vᵢ ∂yᵢ/∂xⱼ: fix the input xⱼ and add up every output yᵢ that depends on it.",
    ),
    "jacobian_diagonal_only": (
        "你只用了雅可比矩阵的对角线 ∂yⱼ/∂xⱼ。这里 xⱼ 会影响所有 i ≥ j 的输出 yᵢ，"
        "这些输出的贡献都要加上。",
        "You used only the diagonal ∂yⱼ/∂xⱼ of the Jacobian. Here xⱼ affects every output yᵢ "
        "with i ≥ j, and all of their contributions must be added.",
    ),
    "cumsum_wrong_direction": (
        "累加的方向反了：xⱼ 出现在 yⱼ, yⱼ₊₁, …, yₙ 里，所以要把 v 从第 j 个加到最后一个"
        "（从后往前的累加和，例如 v.flip(0).cumsum(0).flip(0)），而不是从第一个加到第 j 个。",
        "The running sum goes the wrong way: xⱼ appears in yⱼ, yⱼ₊₁, …, yₙ, so v must be added "
        "from element j to the end (a cumulative sum from the back, such as "
        "v.flip(0).cumsum(0).flip(0)), not from the first element to element j.",
    ),
    # ---- predicting is_leaf, .grad and grad_fn (exercise 4)
    "conversion_is_recorded": (
        "q = p.double() 复制并转换了一个需要梯度的张量，这一步会被记录（grad_fn 是 ToCopyBackward0），"
        "所以 q 不是叶子张量。换设备的 .to(device)、换数据类型的 .to(dtype) 和 .double() 都是这样。",
        "q = p.double() copies and converts a tensor that requires grad; that step is recorded "
        "(its grad_fn is ToCopyBackward0), so q is not a leaf tensor. Moving to another device with "
        ".to(device), converting the dtype with .to(dtype), and .double() all behave this way.",
    ),
    "untracked_is_leaf": (
        "不需要梯度的张量按约定都是叶子张量，不管它是不是算出来的：detach() 之后的运算和 "
        "torch.no_grad() 里的运算都不被记录，结果没有 grad_fn。",
        "By convention every tensor that requires no gradient is a leaf tensor, computed or not: "
        "operations after detach() and inside torch.no_grad() are not recorded, so their results "
        "have no grad_fn.",
    ),
    "non_leaf_grad_dropped": (
        "q 是非叶子张量：反向传播时梯度会经过它，但默认不会存进 q.grad（除非事先调用 "
        "q.retain_grad()），所以 q.grad 是 None。",
        "q is a non-leaf tensor: the backward pass goes through it but does not store anything in "
        "q.grad (unless q.retain_grad() was called first), so q.grad is None.",
    ),
    "grad_fn_last_operation": (
        "grad_fn 记录的是产生这个张量的最后一步运算。t 是三个 .sum() 的结果相加得到的，"
        "最后一步是加法。",
        "grad_fn records the last operation that produced the tensor. t is the result of adding "
        "three .sum() results, so its last step is an addition.",
    ),
    "detach_ignored": (
        "r = p.detach() * 2 对自动求导来说是常数：r * p 这一项只沿着 p 这一路传回 r，"
        "不会再经过 r 传回 p。",
        "For autograd r = p.detach() * 2 is a constant: the term r * p sends back r along the "
        "path through p only, and nothing flows back through r.",
    ),
    "detached_factor_dropped": (
        "detach() 只切断经过 r 的那条路；r * p 里还有 p 本身这个因子，它对 p 的梯度是 r。",
        "detach() only cuts the path through r; r * p still has p itself as a factor, and its "
        "gradient with respect to p is r.",
    ),
    "no_grad_ignored": (
        "s 是在 torch.no_grad() 里算出来的，不在计算图里：s.sum() 不会给 p 送回任何梯度。",
        "s was computed inside torch.no_grad(), so it is not in the graph: s.sum() sends no "
        "gradient back to p.",
    ),
    "grad_dtype_follows_leaf": (
        "梯度的数据类型和它所属的张量相同：p 是 float32，所以 p.grad 也是 float32；"
        "float64 的 q 把梯度传回 p 时会转换回来。",
        "A gradient has the dtype of its tensor: p is float32, so p.grad is float32 too; the "
        "gradient coming back through the float64 q is converted on its way to p.",
    ),
    # ---- accumulation (exercise 5)
    "single_backward": (
        "这只是一次反向传播的梯度。每次 backward() 都把结果累加到 .grad 上（retain_graph=True "
        "不会清空 .grad），只有把 .grad 清零或设为 None 才会从头开始。",
        "This is the gradient of a single backward pass. Every backward() adds its result to "
        ".grad (retain_graph=True does not clear it); only zeroing .grad or setting it to None "
        "starts again from nothing.",
    ),
    "reset_ignored": (
        "你把每一次 backward() 都算了进去。x.grad = None 把之前累加的梯度丢掉了，"
        "只有它之后的 backward() 才会累加到新的 .grad 上。",
        "You counted every backward() call. x.grad = None throws away what had accumulated, and "
        "only the backward() calls after it add up in the new .grad.",
    ),
    "reset_never_reached": (
        "reset_at 不小于 rounds 时，执行 x.grad = None 的那一轮根本不会出现：每一轮的梯度都累加着，"
        "一共 rounds 次。",
        "When reset_at is not less than rounds, the round that runs x.grad = None never comes: "
        "the gradient of every round accumulates, rounds times in all.",
    ),
    "reset_off_by_one": (
        "次数数错了一次：重置发生在 step == 2 的那一轮、在这一轮的 backward() 之前，"
        "所以这一轮的梯度算在里面。把 step 的取值一个一个列出来数。",
        "The count is off by one: the reset happens in the round where step == 2, before that "
        "round's backward(), so that round's gradient is counted. List the values of step one by "
        "one and count.",
    ),
    "paths_not_added": (
        "w * w 里 w 出现了两次：同一次反向传播里，两条路径各送回 w，相加得 2w。"
        "链式法则要把所有路径的贡献都加起来。",
        "w appears twice in w * w: within one backward pass each of the two paths sends back w, "
        "and they add up to 2w. The chain rule adds the contributions of every path.",
    ),
    # ---- repairing a training loop (exercise 6)
    "parameter_not_leaf": (
        "w.grad 是 None，所以 lr * w.grad 没法算：w 不是叶子张量，反向传播不会写入它的 .grad。"
        "两个原因都会这样：w 先用 requires_grad=True 创建、再用 .to(...) 换设备或数据类型"
        "（.to 真的复制时，得到的是一个非叶子张量；CPU 上的 float32 数据不需要复制，所以这时看不出来），"
        "或者上一轮的 w = w - lr * w.grad 把名字 w 换成了一个新的非叶子张量。创建时一起给出 device=、"
        "dtype= 和 requires_grad=True，并在 torch.no_grad() 里原地更新：w -= lr * w.grad。",
        "w.grad is None, so lr * w.grad cannot be computed: w is not a leaf tensor, and the "
        "backward pass writes no .grad for it. Two causes do this: w was created with "
        "requires_grad=True and then moved or converted with .to(...) (when .to really copies, the "
        "copy is a non-leaf tensor; float32 data on the CPU needs no copy, which hides it), or the "
        "previous round's w = w - lr * w.grad pointed the name w at a new non-leaf tensor. Give "
        "device=, dtype= and requires_grad=True together when you create w, and update it in place "
        "inside torch.no_grad(): w -= lr * w.grad.",
    ),
    "update_outside_no_grad": (
        "w 是需要梯度的叶子张量，在记录梯度时原地修改它是不允许的（自动求导会把这一步也记下来）。"
        "把更新放进 with torch.no_grad(): 里。",
        "w is a leaf tensor that requires grad, and changing it in place while gradients are "
        "recorded is not allowed (autograd would record the update too). Put the update inside "
        "with torch.no_grad():.",
    ),
    "parameter_rebound": (
        "w = w - lr * w.grad 没有更新 w，而是造了一个新张量再让名字 w 指向它：记录梯度时它是非叶子张量"
        "（下一轮拿不到 .grad），放在 torch.no_grad() 里则根本不需要梯度。在 torch.no_grad() 里原地更新："
        "w -= lr * w.grad。",
        "w = w - lr * w.grad does not update w: it makes a new tensor and points the name w at "
        "it. With gradients recorded that tensor is a non-leaf tensor (no .grad in the next "
        "round); inside torch.no_grad() it requires no gradient at all. Update in place inside "
        "torch.no_grad(): w -= lr * w.grad.",
    ),
    "loop_grad_not_zeroed": (
        "每一轮都没有清零梯度，w.grad 里累加着之前所有轮的梯度，所以更新的步子越来越大。"
        "更新之后（或下一次 backward() 之前）写 w.grad.zero_() 或 w.grad = None。",
        "The gradient is never cleared, so w.grad holds the sum of every round so far and the "
        "steps grow. After the update (or before the next backward()) write w.grad.zero_() or "
        "w.grad = None.",
    ),
    "zeroed_before_update": (
        "w 从来没有动过：梯度在更新之前就被清零了，更新时用的是 0。清零要放在更新之后、"
        "下一次 backward() 之前。",
        "w never moved: the gradient was cleared before the update, so the update used zeros. "
        "Clear it after the update and before the next backward().",
    ),
    # ---- two backward passes through one graph (exercise 7)
    "single_pass_through_shared": (
        "两个结果都是两个梯度之和：两个损失加在一起（或者拼在一起、用全 1 加权）只做了一次反向传播，"
        "得到的是合在一起的结果。要各算各的：在同一张图上反向传播两次（第一次传 retain_graph=True），"
        "或者用一次批量的反向传播同时算两个（torch.autograd.grad 加 is_grads_batched=True，"
        "grad_outputs 的每一行挑出一个损失）。",
        "Both results are the sum of the two gradients: the two losses were added (or stacked and "
        "weighted by ones) and backpropagated once, which gives their combined result. Keep them "
        "apart: two backward passes through the same graph (the first with retain_graph=True), or "
        "one batched backward pass for both (torch.autograd.grad with is_grads_batched=True, each "
        "row of grad_outputs picking one loss).",
    ),
    "retain_graph_missing": (
        "第一次反向传播用完就释放了共用的部分 h 保存的张量（例如 exp 保存了它的输出），"
        "第二次经过 h 时就没有了。第一次调用要传 retain_graph=True。",
        "The first backward pass freed the tensors the shared part h saved (exp, for one, saves "
        "its output) once it had used them, so the second pass through h finds them gone. Pass "
        "retain_graph=True to the first call.",
    ),
    "shared_part_recomputed": (
        "反向传播没有经过给你的那张图：loss1 和 loss2 本身没有被求导（也许是重新算了一遍共用的部分，"
        "建了一张新图）。函数并不知道图是怎样建的（隐藏测试用的是别的函数）：直接对给你的两个损失求导。",
        "The backward pass never went through the graph you were given: loss1 and loss2 themselves "
        "were not differentiated (perhaps the shared part was computed again, on a new graph). The "
        "function cannot know how the graph was built (the hidden tests use other functions): "
        "differentiate the two losses you were given.",
    ),
    "grad_not_cloned": (
        "两个结果都是两个梯度之和：g1 = x.grad 拿到的是 x.grad 这个张量本身，第二次 backward() "
        "原地累加进同一个张量，g1 也跟着变了。先 g1 = x.grad.clone()，再 x.grad = None；"
        "或者改用 torch.autograd.grad，让自动求导直接返回梯度，不经过 .grad。",
        "Both results are the sum of the two gradients: g1 = x.grad holds the tensor x.grad "
        "itself, and the second backward() accumulates into that same tensor in place, so g1 "
        "changes too. Take g1 = x.grad.clone(), then set x.grad = None; or use "
        "torch.autograd.grad, which returns the gradient.",
    ),
    "zeroed_kept_gradient": (
        "第一个结果其实是第二个梯度：g1 就是 x.grad 这个张量本身，x.grad.zero_() 把它也清零了，"
        "第二次 backward() 又累加进去。先 g1 = x.grad.clone()，或者用 x.grad = None 代替 zero_()。",
        "The first result is really the second gradient: g1 is the tensor x.grad itself, "
        "x.grad.zero_() cleared it as well, and the second backward() accumulated into it. Take "
        "g1 = x.grad.clone() first, or use x.grad = None instead of zero_().",
    ),
    "grad_not_reset_between": (
        "第二个结果是两个梯度之和：两次 backward() 之间没有把 x.grad 清零或设为 None，"
        "第二次的梯度累加在第一次上。",
        "The second result is the sum of both gradients: x.grad was not cleared or set to None "
        "between the two backward() calls, so the second gradient was added to the first.",
    ),
    # ---- higher-order derivatives (exercise 8)
    "first_derivative_only": (
        "这是一阶导数，不是二阶导数。用 create_graph=True 求出一阶导数，再对它求一次导。",
        "This is the first derivative, not the second. Get the first derivative with "
        "create_graph=True, then differentiate it once more.",
    ),
    "derivative_without_graph": (
        "对一个不在计算图里的张量求了导。两个原因都会这样：x 没有设成需要梯度（先 "
        "x = x.detach().requires_grad_()），或者求一阶导数的 torch.autograd.grad 没有传 "
        "create_graph=True，一阶导数就没有计算图，不能再对它求导。",
        "A tensor that is not in a computation graph was differentiated. Two causes do this: x "
        "was not made to require grad (x = x.detach().requires_grad_() first), or the "
        "torch.autograd.grad that took the first derivative was not given create_graph=True, so "
        "the first derivative has no graph and cannot be differentiated again.",
    ),
    "autograd_grad_tuple": (
        "torch.autograd.grad 返回的是元组：自动求导为每个输入各返回一个梯度，哪怕只有一个输入。"
        "取出其中的张量：(g,) = torch.autograd.grad(...)，或者 torch.autograd.grad(...)[0]。",
        "torch.autograd.grad returns a tuple with one gradient per input, even for a single "
        "input. Take the tensor out of it: (g,) = torch.autograd.grad(...), or "
        "torch.autograd.grad(...)[0].",
    ),
}

TORCH_ERRORS = [
    (r"unsupported operand type\(s\) for [^:]+: ('NoneType' and|.* and 'NoneType')",
     "参与运算的某个 .grad 是 None。最常见的原因是这个参数不是叶子张量，.grad 不会被写入："
     "它是先用 requires_grad=True 创建、再用 .to(device) 换设备或用 .to(dtype) 换数据类型得到的"
     "（复制出来的张量不是叶子张量，应该在创建时一起给出 device=、dtype= 和 requires_grad=True），或者它被 w = w - lr * w.grad "
     "重新绑定过（应该在 torch.no_grad() 里写 w -= lr * w.grad）。也可能是还没有调用 backward()。",
     "A .grad used in this operation is None. The most common reason is that the parameter is "
     "not a leaf tensor, so its .grad is never written: it was created with requires_grad=True "
     "and then moved or converted with .to(device) or .to(dtype) (the copy is not a leaf "
     "tensor: give device=, dtype= and requires_grad=True together when you create it), or it "
     "was rebound with w = w - lr * w.grad (write w -= lr * w.grad inside torch.no_grad() "
     "instead). It may also be that backward() has not run yet."),
]


