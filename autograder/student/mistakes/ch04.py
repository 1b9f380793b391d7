"""Chapter 04 (memory, ids and in-place operations): the mistakes its exercises invite."""

MISTAKES = {
    # ---- predicting whether a result shares memory with x (exercise 1)
    "sharing_basic_view_ops": (
        "基本索引（整数、切片）、view()、t()/transpose() 和 detach() 都不复制数据：它们返回视图，"
        "用新的形状、步幅和偏移去读 x 的同一块存储。",
        "Basic indexing (integers, slices), view(), t()/transpose() and detach() copy nothing: "
        "they return views that read x's storage through a new shape, new strides and a new offset.",
    ),
    "sharing_advanced_indexing": (
        "用下标列表或布尔掩码做的高级索引（x[[0, 1]]、x[x > 0]）挑出的元素在存储里没有固定的步幅，"
        "所以 PyTorch 只能把它们复制到一块新存储里。",
        "Advanced indexing with a list of indices or a boolean mask (x[[0, 1]], x[x > 0]) picks "
        "elements that no fixed stride can reach, so PyTorch has to copy them into a new storage.",
    ),
    "sharing_reshape": (
        "reshape() 能做视图时就返回视图（连续的 x 总是可以），做不到时才复制：x.t() 不连续，"
        "按行展平它的元素在存储里是跳着的，所以 x.t().reshape(-1) 是副本。",
        "reshape() returns a view whenever it can (always, for a contiguous x) and copies only "
        "when it must: x.t() is not contiguous, and flattening it row by row jumps around the "
        "storage, so x.t().reshape(-1) is a copy.",
    ),
    "sharing_new_values": (
        "x + 0 这样的运算总会分配一个新张量来放结果，哪怕数值和 x 一样；contiguous() 对不连续的张量"
        "（例如 x.t()）会按行复制出一份新的。",
        "An operation such as x + 0 always allocates a new tensor for its result, even when the "
        "values equal x; contiguous() on a non-contiguous tensor (such as x.t()) makes a new "
        "row-by-row copy.",
    ),
    # ---- storage positions from strides (exercise 2)
    "ignored_storage_offset": (
        "少加了 t.storage_offset()：切片可以从存储的中间开始，每个位置都要先加上这个偏移。",
        "t.storage_offset() is missing: a slice can start in the middle of the storage, so every "
        "position starts from that offset.",
    ),
    "assumed_contiguous_positions": (
        "这是把 t 当成连续张量算出的位置（0, 1, 2, … 依次排下去）。沿第 k 维走一步，要在存储里跳过 "
        "t.stride()[k] 个元素：位置是 offset + Σ i_k · stride[k]。转置、带步长的切片和 expand 的步幅都不是"
        "按行紧挨着的。",
        "These are the positions of a contiguous tensor (0, 1, 2, ... in order). One step along "
        "dimension k skips t.stride()[k] storage elements: the position is offset + Σ i_k · "
        "stride[k]. Transposes, slices with a step and expand have other strides.",
    ),
    # ---- in place, or a new tensor? (exercises 3 and 7)
    "inplace_returned_new": (
        "这里要求原地修改，你的函数却造了一个新张量：x = x - m、total = total + b 只是让函数里的名字"
        "指向一个新张量，调用方手里的张量（以及和它共享内存的其他张量）没有变。用原地运算写回去："
        "x -= m、x.sub_(m).div_(s)、total += b、total.add_(b)，或者 x.copy_(新值)，然后返回 x 本身。",
        "In-place was asked, but your function made a new tensor: x = x - m or total = total + b "
        "only points the function's local name at a new tensor, and the caller's tensor (and "
        "every tensor sharing its memory) stays as it was. Write the result back in place: "
        "x -= m, x.sub_(m).div_(s), total += b, total.add_(b), or x.copy_(new_values), then "
        "return x itself.",
    ),
    "add_result_discarded": (
        "结果被算出来之后就丢掉了：total.add(b) 没有下划线，和 total + b 一样返回一个新张量，"
        "并不改变 total。要么原地加（total.add_(b) 或 total += b），要么把结果接住。",
        "The result was computed and then thrown away: total.add(b), without an underscore, "
        "returns a new tensor just like total + b and leaves total unchanged. Either add in place "
        "(total.add_(b) or total += b) or keep the result.",
    ),
    # ---- NumPy (exercise 6)
    "numpy_memory_shared": (
        "数组改了，你的张量也跟着变了：它和数组共用同一块内存。torch.from_numpy(a) 和 torch.as_tensor(a) "
        "只要不换数据类型就不复制；.float() 对 float32 数组、.to(device) 在 CPU 上也都原样返回同一个张量。"
        "用 torch.tensor(a, dtype=torch.float32, device=device) 或 torch.from_numpy(a).clone() 复制一份。",
        "The array changed and your tensor changed with it: they share one block of memory. "
        "torch.from_numpy(a) and torch.as_tensor(a) copy nothing as long as the dtype stays; "
        ".float() on a float32 array and .to(device) on the CPU also return the very same tensor. "
        "Copy it with torch.tensor(a, dtype=torch.float32, device=device) or "
        "torch.from_numpy(a).clone().",
    ),
    # ---- a parameter update (exercise 8)
    "parameter_not_updated": (
        "调用方的参数一点没变。常见原因：for p in params: p = p - lr * p.grad 只是让循环变量 p 指向一个"
        "新张量，列表里的参数没被碰到；p - lr * p.grad 算完没有写回；或者梯度在更新之前就被清零了。"
        "在 torch.no_grad() 里原地更新：p -= lr * p.grad，然后再清梯度。",
        "The caller's parameter did not change at all. Usual reasons: for p in params: "
        "p = p - lr * p.grad only points the loop variable p at a new tensor and never touches "
        "the parameter in the list; p - lr * p.grad was computed but not written back; or the "
        "gradient was cleared before the update. Update in place inside torch.no_grad(): "
        "p -= lr * p.grad, then clear the gradient.",
    ),
    "parameter_replaced": (
        "列表里的参数被换成了新张量（例如 params[i] = params[i] - lr * params[i].grad）。"
        "模型和优化器拿着的是原来那个参数对象，它没有变；新张量在记录梯度时还是非叶子张量，"
        "下一次反向传播后它的 .grad 是 None。在 torch.no_grad() 里原地更新原来的参数：p -= lr * p.grad。",
        "A parameter in the list was replaced by a new tensor (for example "
        "params[i] = params[i] - lr * params[i].grad). The model and the optimizer hold the "
        "original parameter object, which did not change; with gradients recorded the new tensor "
        "is also a non-leaf tensor whose .grad stays None after the next backward pass. Update "
        "the original parameter in place inside torch.no_grad(): p -= lr * p.grad.",
    ),
    "grad_not_cleared": (
        "更新之后梯度还留在 .grad 里；下一次 backward() 会把新梯度累加上去，步子越走越大。"
        "更新完写 p.grad = None 或 p.grad.zero_()。",
        "The gradient is still in .grad after the update; the next backward() will accumulate "
        "onto it and the steps will grow. After the update, set p.grad = None or call "
        "p.grad.zero_().",
    ),
}
