"""Chapter 04 (memory, ids and in-place operations): the mistakes its exercises invite."""

MISTAKES = {
    # ---- predictions: shared memory or not (exercise 1; shown after grading)
    "pred_contiguous_of_contiguous": (
        "contiguous() 只在张量不连续时才复制，否则原样返回张量本身。先判断 x 是不是连续的："
        "torch.randn 新建的张量是一行接一行紧挨着存放的。",
        "contiguous() copies only a tensor that is not contiguous, and otherwise returns the tensor "
        "itself. Decide first whether x is contiguous: a tensor fresh from torch.randn is stored row "
        "after row.",
    ),
    "pred_transpose_of_a_row": (
        "转置只是对调步幅；转置以后是否连续，要按规则看步幅，而长度为 1 的维度不算，沿它走不了一步"
        "（课上 4.1 节）。m 的形状是 (1, 5)，m.t() 是 (5, 1)：按行读它，存储位置是一个接一个的吗？"
        "contiguous() 只在不连续时才复制。",
        "A transpose only swaps the strides; whether the result is contiguous depends on its strides "
        "by the rule, in which dimensions of size 1 do not count, since no step is taken along them "
        "(section 4.1 of the lesson). m has shape (1, 5) and m.t() shape (5, 1): reading it row by "
        "row, are the storage positions one after another? contiguous() copies only what is not "
        "contiguous.",
    ),
    "pred_to_same_device": (
        ".to() 只在设备或数据类型真的要变时才复制；什么都不用变时，它原样返回张量本身。"
        "x.to(x.device) 要变的是什么？",
        ".to() copies only when the device or the dtype really changes; when nothing has to change, "
        "it returns the tensor itself. What does x.to(x.device) change?",
    ),
    "pred_to_other_dtype": (
        "不同数据类型每个元素占的字节数不同（float64 是 8 个字节，float32 是 4 个），同一块内存不可能"
        "同时按两种类型来读；数据类型真的变了的时候，.double()、.float() 和 .to(dtype) 只能复制。",
        "Different dtypes take different numbers of bytes per element (8 for float64, 4 for "
        "float32), and one block of memory cannot be read as both; when the dtype really changes, "
        ".double(), .float() and .to(dtype) have to copy.",
    ),
    "pred_reshape_of_column_slice": (
        "reshape() 能做视图时就做视图，做不到才复制。x[:, :2] 的步幅是 (4, 1)：它只取每行的前两个"
        "元素，按行读它，每到一行的末尾都要跳过两个，所以它不连续。把它展平成一维，还能只用一个步幅表示吗？",
        "reshape() returns a view when it can and copies only when it must. x[:, :2] has strides "
        "(4, 1): it takes the first two elements of each row, so reading it row by row skips two "
        "elements at the end of every row, and it is not contiguous. Can its flattened elements "
        "still be reached with a single stride?",
    ),
    "pred_reshape_of_row_slice": (
        "reshape() 能做视图时就做视图，做不到才复制。x[:1] 是 x 完整的第一行，形状 (1, 4)：按行读它，"
        "存储位置是一个接一个的吗？长度为 1 的维度不影响是否连续。",
        "reshape() returns a view when it can and copies only when it must. x[:1] is the whole first "
        "row of x, shape (1, 4): reading it row by row, are the storage positions one after "
        "another? A dimension of size 1 does not affect contiguity.",
    ),
    # ---- contiguity by the rule (exercise 2)
    "size_one_stride_counted": (
        "长度为 1 的维度也被拿去比较了步幅。沿长度为 1 的维度走不了一步，它的步幅是多少都无所谓，"
        "例如形状 (4, 1, 3)、步幅 (3, 7, 1) 的张量是连续的：遇到长度为 1 的维度，跳过它。",
        "Dimensions of size 1 had their strides compared too. No step is ever taken along a "
        "dimension of size 1, so its stride does not matter: a tensor of shape (4, 1, 3) with "
        "strides (3, 7, 1), for example, is contiguous. Skip the dimensions of size 1.",
    ),
    "stride_product_not_checked": (
        "只看最后一维的步幅是不是 1，或者步幅是不是从大到小排列，都不够：每一维的步幅必须正好等于它后面"
        "各维长度的乘积。例如 (3, 5) 矩阵的后两列，形状 (3, 2)、步幅 (5, 1)：按行读到每行的末尾都要跳过"
        "三个元素，所以它不连续。",
        "Checking that the last stride is 1, or that the strides decrease, is not enough: every "
        "stride must be exactly the product of the sizes after it. The last two columns of a (3, 5) "
        "matrix, for example, have shape (3, 2) and strides (5, 1): at the end of every row the "
        "reading skips three elements, so they are not contiguous.",
    ),
    "contiguity_by_torch": (
        "这道题要你自己按规则判断：is_contiguous()、contiguous()、as_strided 和 empty_strided 会让 "
        "PyTorch 替你回答，所以不能用。从最后一维往前，逐维比较步幅和后面各维长度的乘积。",
        "This exercise asks you to apply the rule yourself: is_contiguous(), contiguous(), "
        "as_strided and empty_strided let PyTorch answer for you, so they are not allowed. Going "
        "from the last dimension to the first, compare each stride with the product of the sizes "
        "after it.",
    ),
    # ---- storage positions from strides (exercise 3)
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
    # ---- in place, or a new tensor? (exercise 4)
    "inplace_returned_new": (
        "这里要求原地修改，你的函数却把结果放进了一块新的内存：x = x - m 只是让函数里的名字 x 指向一个"
        "新张量，x.data = ... 则给 x 换了一块新的存储。无论哪种，调用方的内存（以及和它共享内存的其他张量，"
        "比如 x 所在的矩阵）都没有变。用原地运算写回去：x.sub_(m).div_(s)、x -= m，或者 x.copy_(新值)，"
        "然后返回 x 本身。",
        "In-place was asked, but your function put its result into new memory: x = x - m only "
        "points the function's local name x at a new tensor, and x.data = ... gives x a new storage. "
        "Either way the caller's memory (and every tensor sharing it, such as the matrix x was "
        "taken from) stays as it was. Write the result back in place: x.sub_(m).div_(s), x -= m, "
        "or x.copy_(new_values), then return x itself.",
    ),
    # ---- a transpose that must be a copy (exercise 6)
    "transpose_of_a_row_or_column": (
        "m.t().contiguous() 平时会复制，可对只有一行（或一列）的矩阵，m.t() 本身就是连续的（长度为 1 的"
        "维度不影响是否连续，见课上 4.1 节），contiguous() 于是原样返回它，结果仍然和 m 共享内存。"
        "要一份一定独立的副本，用 clone()：m.t().clone()。",
        "m.t().contiguous() usually copies, but for a matrix with a single row (or column) m.t() is "
        "contiguous already (a dimension of size 1 does not affect contiguity, section 4.1 of the "
        "lesson), so contiguous() returns it as it is, and the result still shares memory with m. "
        "For a copy that is always independent, use clone(): m.t().clone().",
    ),
    # ---- NumPy (exercise 7)
    "numpy_memory_shared": (
        "你的张量和数组共用同一块内存，数组一改，张量也跟着变。torch.from_numpy(a) 和 torch.as_tensor(a) "
        "只要不换数据类型就不复制；对 float32 的张量，.float() 原样返回它；目标设备是 CPU 时，.to(device) "
        "也原样返回它。所以这个错误在 GPU 上看不出来，到了 CPU 上才暴露（测试因此在每台机器上都用 "
        "device=\"cpu\" 检查）。用 torch.tensor(a, dtype=torch.float32, device=device)，或者 "
        "torch.from_numpy(a).clone()。",
        "Your tensor shares one block of memory with the array, so when the array changes, the "
        "tensor changes too. torch.from_numpy(a) and torch.as_tensor(a) copy nothing as long as the "
        "dtype stays; .float() on a float32 tensor returns it as it is; and with the CPU as the "
        "target, .to(device) returns it as it is too. That is why this mistake hides on a GPU and "
        "shows on the CPU (so the tests check with device=\"cpu\" on every machine). Use "
        "torch.tensor(a, dtype=torch.float32, device=device), or torch.from_numpy(a).clone().",
    ),
    "numpy_float64_kept": (
        "结果是 float64：NumPy 的浮点数组默认是 float64，torch.from_numpy 和 torch.as_tensor 会保留数组的"
        "数据类型。题目要的是 float32：传 dtype=torch.float32，或者用 .float()。",
        "The result is float64: NumPy's floating-point arrays are float64 by default, and "
        "torch.from_numpy and torch.as_tensor keep the array's dtype. The exercise asks for "
        "float32: pass dtype=torch.float32, or call .float().",
    ),
    "device_ignored": (
        "结果没有放在参数 device 指定的设备上：把 device 传给 torch.tensor(..., device=device)，或者最后 "
        ".to(device)。",
        "The result is not on the device the parameter device names: pass it on with "
        "torch.tensor(..., device=device), or finish with .to(device).",
    ),
    # ---- a saved tensor changed in place (exercises 8 and 9)
    "saved_output_modified_in_place": (
        "反向传播需要的一个张量在前向传播之后被原地改掉了，版本计数器发现了这一点，所以报错。tanh、exp、"
        "sigmoid 保存的是自己的输出，之后对这个输出做 +=、add_() 或其他原地运算，反向传播就用不了它了；"
        "包在 torch.no_grad() 里也一样（no_grad 不管计数），通过 detach() 得到的别名也一样（它和原张量"
        "共用计数器）。改成非原地的写法，例如 h = torch.tanh(...) + c，或者 1 + torch.exp(...)。",
        "A tensor the backward pass needs was changed in place after the forward pass, and the "
        "version counter noticed, hence the error. tanh, exp and sigmoid save their outputs, and a "
        "+=, add_() or any other in-place operation on such an output leaves the backward pass "
        "unable to use it. Wrapping it in torch.no_grad() does not help (no_grad does not stop the "
        "counting), nor does going through detach() (the alias shares the counter). Write it out "
        "of place instead, for example h = torch.tanh(...) + c, or 1 + torch.exp(...).",
    ),
    "saved_output_changed_through_data": (
        "数值对，梯度却错了，而且没有报错：反向传播需要的一个输出（tanh、exp 这类运算保存的是自己的输出）"
        "是通过 .data 原地改掉的。.data 有自己的版本计数器，自动求导察觉不到这次修改，反向传播拿着改过的值"
        "算出了错误的梯度。这正是课上 5.2 节的例子：报错总比悄悄算错好。不要用 .data 绕开报错，改成非原地"
        "的写法，例如 h = torch.tanh(...) + c，或者 1 + torch.exp(...)。",
        "The values are right but the gradient is wrong, with no error: an output the backward pass "
        "needs (operations such as tanh and exp save their outputs) was changed in place through "
        ".data. .data has a version counter of its own, so autograd never noticed the change, and "
        "the backward pass used the changed values and computed a wrong gradient. This is the "
        "example of section 5.2 of the lesson: an error is better than a silent mistake. Do not get "
        "around the error with .data; write it out of place, for example h = torch.tanh(...) + c, or "
        "1 + torch.exp(...).",
    ),
    "caller_batch_changed": (
        "调用之后，调用方的 x 变成了减去均值以后的值：x -= x.mean(dim=0) 是原地修改，改的正是调用方传进来的"
        "那个张量。用一个新名字接住新张量，例如 c = x - x.mean(dim=0)。",
        "After the call the caller's x holds the centred values: x -= x.mean(dim=0) is an in-place "
        "change, made to the very tensor the caller passed in. Keep the new tensor under a new name "
        "instead, for example c = x - x.mean(dim=0).",
    ),
    # ---- a parameter update by hand (exercise 9)
    "leaf_updated_in_place_recorded": (
        "w 是需要梯度的叶子张量。在自动求导记录的时候原地修改它，这次减法就会成为 w 自己历史的一部分："
        "w 不再是叶子张量，也就收不到 .grad，所以 PyTorch 拒绝这样做。把更新放进 with torch.no_grad(): "
        "里，再写 w -= lr * w.grad。",
        "w is a leaf tensor that requires grad. Changed in place while autograd records, the "
        "subtraction would become part of w's own history: w would stop being a leaf and could no "
        "longer collect .grad, so PyTorch refuses. Put the update inside with torch.no_grad(): and "
        "write w -= lr * w.grad there.",
    ),
    "parameter_not_updated": (
        "调用方的 w 一点没变。常见原因：w = w - lr * w.grad 只是让函数里的名字 w 指向一个新张量，调用方的 "
        "w 没有被碰到；算出的新值没有写回；或者梯度在更新之前就被清掉了。在 torch.no_grad() 里原地更新："
        "w -= lr * w.grad，然后再清梯度。",
        "The caller's w did not change at all. Usual reasons: w = w - lr * w.grad only points the "
        "function's local name w at a new tensor and never touches the caller's w; the new values "
        "were computed but not written back; or the gradient was cleared before the update. Update "
        "in place inside torch.no_grad(): w -= lr * w.grad, then clear the gradient.",
    ),
    "grad_not_cleared": (
        "第一步之后梯度还留在 w.grad 里，第二步的 backward() 把新梯度累加了上去，这一步就走错了。"
        "更新完写 w.grad = None 或 w.grad.zero_()。",
        "After the first step the gradient was still in w.grad, and the second step's backward() "
        "added the new gradient onto it, so that step went wrong. After the update, set "
        "w.grad = None or call w.grad.zero_().",
    ),
    "update_through_data": (
        "w 的值更新对了，可版本计数器没有看见这次修改：更新是通过 w.data 写进去的。.data 和 detach() 一样"
        "共享 w 的存储，但它有自己的计数器（课上 5.2 节）；如果这时还有别的计算图保存着 w，它的反向传播会"
        "悄悄用上改过的值。在 with torch.no_grad(): 里直接原地修改 w 本身：w -= lr * w.grad。",
        "w got the right values, but its version counter did not see the change: the update was "
        "written through w.data. Like detach(), .data shares w's storage, but it has a counter of "
        "its own (section 5.2 of the lesson), so if some other graph still holds w saved, its "
        "backward pass will silently use the changed values. Change w itself in place inside "
        "with torch.no_grad(): w -= lr * w.grad.",
    ),
    # ---- frozen features (exercise 10)
    "inference_tensor_saved": (
        "在 torch.inference_mode() 里算出的是\"推理张量\"：出了 inference_mode 以后，它不能被保存下来"
        "留给反向传播，而 features @ w_head 对 w_head 求导时正需要保存 features。对它 detach()，或者在 "
        "inference_mode 里面 clone()，得到的仍然是推理张量。冻结的部分改用 torch.no_grad()：同样不建图，"
        "结果却是普通张量；或者在 inference_mode 外面 clone() 一份。",
        "What torch.inference_mode() computes are \"inference tensors\": once outside inference "
        "mode they cannot be saved for the backward pass, and features @ w_head must save features "
        "to differentiate with respect to w_head. detach(), or a clone() made inside inference "
        "mode, is still an inference tensor. Use torch.no_grad() for the frozen part instead: it "
        "builds no graph either, but gives an ordinary tensor; or clone() the features outside "
        "inference mode.",
    ),
    "frozen_part_tracked": (
        "反向传播经过了 W_frozen：冻结的部分也进了计算图，自动求导为它保存了中间结果，也会给 W_frozen "
        "算梯度，这正是冻结想省掉的。把冻结的部分放进 torch.no_grad()（或者对它的结果 detach()），"
        "让计算图从 features 开始。",
        "The backward pass went through W_frozen: the frozen part entered the computation graph, so "
        "autograd saved its intermediate results and would compute a gradient for W_frozen, exactly "
        "what freezing is meant to save. Put the frozen part inside torch.no_grad() (or detach() "
        "its result), so that the graph starts at features.",
    ),
    "head_inside_no_grad": (
        "损失不需要梯度，也没有 grad_fn：整个计算，连最后一层在内，都放进了不建图的模式。只有冻结的那部分"
        "应该放进 torch.no_grad()，和 w_head 有关的计算要放在外面。",
        "The loss requires no grad and has no grad_fn: the whole computation, the last layer "
        "included, ran in a mode that builds no graph. Only the frozen part belongs inside "
        "torch.no_grad(); the computation with w_head must happen outside it.",
    ),
}
