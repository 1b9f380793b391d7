"""Chapter 03 (arithmetic and broadcasting): the mistakes its exercises invite."""

MISTAKES = {
    # ---- predicting a broadcast shape
    "broadcast_aligned_left": (
        "你把两个形状从左边（第一维）开始对齐了。广播是从最后一维开始、靠右对齐的：维数少的形状在"
        "左边补 1。例如 (3,) 和 (3, 1) 对齐成 (1, 3) 和 (3, 1)，结果是 (3, 3)。",
        "You aligned the two shapes from the left (the first dimension). Broadcasting aligns them "
        "on the right, starting from the last dimension: the shorter shape is padded with 1s on "
        "its left. (3,) and (3, 1), for example, line up as (1, 3) and (3, 1), giving (3, 3).",
    ),
    "broadcast_dropped_leading_dims": (
        "结果的维数少了：较长的那个形状多出来的前几维被丢掉了（zip 会在较短的序列结束时停下）。"
        "先在较短的形状左边补 1，补到一样长，再逐维比较；结果的维数等于较长形状的维数。",
        "The result has too few dimensions: the extra leading dimensions of the longer shape were "
        "dropped (zip stops at the end of the shorter sequence). Pad the shorter shape with 1s "
        "on its left to the same length first, then compare dimension by dimension; the result "
        "has as many dimensions as the longer shape.",
    ),
    "broadcast_not_checked": (
        "这对形状其实不能广播：有一对大小不同，而且都不是 1。每一对大小必须相等或者有一个是 1；"
        "只取较大的那个，就漏掉了这种情况。不能广播时返回 None。",
        "This pair of shapes cannot broadcast: one pair of sizes differs and neither is 1. Each "
        "pair must be equal or contain a 1; taking the larger size alone misses this case. "
        "Return None when broadcasting fails.",
    ),
    "broadcast_one_beats_zero": (
        "有一维的长度是 0：长度为 1 的维度要拉伸成对方的长度，0 也不例外，所以 1 和 0 广播得到 0。"
        "取两者中较大的那个（max）在这里就错了：应当取不是 1 的那个长度。",
        "One dimension has length 0: a dimension of length 1 stretches to the other length, and "
        "0 is no exception, so 1 and 0 broadcast to 0. Taking the larger of the two (max) is "
        "wrong here: take the length that is not 1.",
    ),
    # ---- a per-sample loss
    "broadcast_to_n_by_n": (
        "结果是 (N, N)：一个 (N, 1) 的张量和一个 (N,) 的张量相减，(N,) 先补成 (1, N)，两者广播成 "
        "(N, N)，于是每个预测都和每个目标比较了一遍，只有对角线是想要的。先把两者变成同一个形状，"
        "例如都用 .reshape(-1) 变成 (N,)。",
        "The result is (N, N): subtracting an (N,) tensor from an (N, 1) one pads (N,) to "
        "(1, N) and broadcasts both to (N, N), so every prediction is compared with every "
        "target and only the diagonal is what you wanted. Give both the same shape first, e.g. "
        "(N,) for both with .reshape(-1).",
    ),
    "per_sample_kept_column": (
        "每个样本的误差应当是形状 (N,) 的一维张量，你返回的是一列 (N, 1)。把两个输入都变成 (N,) "
        "再相减，或者最后用 .reshape(-1) 去掉多出来的那一维。",
        "The per-sample errors should be a 1-d tensor of shape (N,), but you returned a column "
        "(N, 1). Make both inputs (N,) before subtracting, or drop the extra dimension at the "
        "end with .reshape(-1).",
    ),
    "per_sample_reduced": (
        "这里要的是每个样本各自的平方误差（N 个数），你却把它们归约成了一个数（平均或求和）。"
        "去掉最后的 .mean() 或 .sum()。",
        "What is asked for is each sample's own squared error (N numbers), but you reduced them "
        "to a single number (a mean or a sum). Drop the final .mean() or .sum().",
    ),
    "squeeze_removed_batch": (
        "N = 1 时结果变成了 0 维张量：不带参数的 .squeeze() 会去掉所有长度为 1 的维度，连样本那一维也去掉了。"
        "用 .reshape(-1)，或者 .squeeze(-1) 只去掉最后一维。",
        "With N = 1 the result became a 0-d tensor: .squeeze() without an argument removes every "
        "dimension of size 1, the sample dimension included. Use .reshape(-1), or .squeeze(-1) "
        "to remove only the last dimension.",
    ),
    # ---- row normalisation
    "missing_keepdim": (
        "M.sum(dim=1) 的形状是 (R,)，靠右对齐后是一行 (1, R)，所以第 j 列被除以了第 j 行的和。"
        "方阵碰巧形状对得上，所以没有报错。用 M.sum(dim=1, keepdim=True) 得到一列 (R, 1)，"
        "每一行就除以它自己的和。",
        "M.sum(dim=1) has shape (R,), which aligns on the right as a row (1, R), so column j was "
        "divided by the sum of row j. A square matrix happens to fit, so there was no error. "
        "M.sum(dim=1, keepdim=True) gives a column (R, 1), and each row is divided by its own "
        "sum.",
    ),
    "reduced_wrong_dim": (
        "归约沿错了维度：dim 写哪一维，哪一维就被压掉。对矩阵来说，dim=0 沿着行往下合并，"
        "得到每一列的结果；dim=1（或 dim=-1）得到每一行的结果。对照题目要的是\"每行\"还是\"每列\"。",
        "The reduction ran along the wrong dimension: the dim you name is the one that is "
        "squeezed out. For a matrix, dim=0 combines down the rows and gives one result per "
        "column; dim=1 (or dim=-1) gives one result per row. Check whether the exercise asks "
        "for each row or each column.",
    ),
    "row_mean_instead_of_row_sum": (
        "你除以的是每行的平均值，不是每行的和，所以每行加起来等于列数 C，而不是 1。用 .sum(...) 代替 .mean(...)。",
        "You divided by each row's mean rather than its sum, so every row adds up to the number "
        "of columns C instead of 1. Use .sum(...) instead of .mean(...).",
    ),
    "divided_by_total": (
        "你除以的是整个矩阵所有元素的和，于是全部元素加起来是 1，而不是每一行加起来是 1。"
        "只沿行的方向求和：.sum(dim=1, keepdim=True)。",
        "You divided by the sum of the whole matrix, so all elements together add up to 1 "
        "instead of each row. Sum along the rows only: .sum(dim=1, keepdim=True).",
    ),
    # ---- log-mean-exp
    "unstable_logsumexp": (
        "这是直接按公式 log(mean(exp(x))) 算出的结果：输入小时是对的，但 exp 在 float32 里超过"
        "大约 88 就上溢成 inf，低于大约 -104 就下溢成 0（log 0 = -inf）。先减去沿这一维的最大值 m，"
        "最后再加回来：m + log(mean(exp(x - m)))，或者用 torch.logsumexp。",
        "This is the formula log(mean(exp(x))) computed as written: right for small inputs, but "
        "in float32 exp overflows to inf above about 88 and underflows to 0 below about -104 "
        "(and log 0 = -inf). Subtract the maximum m along the dimension first and add it back at "
        "the end: m + log(mean(exp(x - m))), or use torch.logsumexp.",
    ),
    "logsumexp_instead_of_logmeanexp": (
        "这是 log-sum-exp（求和），而题目要的是 log-mean-exp（平均）：两者正好差 log K，K 是被平均的"
        "那一维的长度。减去 math.log(K)，或者在减去最大值之后用 .mean(...) 代替 .sum(...)。",
        "This is the log-sum-exp (a sum), but the exercise asks for the log-mean-exp (a mean): "
        "they differ by exactly log K, where K is the length of the averaged dimension. Subtract "
        "math.log(K), or use .mean(...) instead of .sum(...) after subtracting the maximum.",
    ),
    "max_shift_over_all_elements": (
        "你减去的是整个张量的最大值，而不是沿 dim 这一维的最大值。某一组数比全局最大值小很多时，"
        "它们的 exp 全部下溢成 0，结果就成了 -inf。用 x.amax(dim=dim, keepdim=True)，每组减去自己的最大值。",
        "You subtracted the maximum of the whole tensor instead of the maximum along dim. Where "
        "a group of values lies far below the overall maximum, all their exps underflow to 0 "
        "and the result becomes -inf. Use x.amax(dim=dim, keepdim=True), so each group subtracts "
        "its own maximum.",
    ),
    "max_shift_missing_keepdim": (
        "最大值 m 是不带 keepdim 算的：沿 dim=1 归约后 m 的形状是 (N,)，靠右对齐成 (1, N)，"
        "x - m 减错了位置（第 i 行的第 j 个数减去的是第 j 行的最大值）。方阵碰巧不报错。"
        "用 keepdim=True 算 m，最后再把那一维去掉。",
        "The maximum m was computed without keepdim: reduced along dim=1 it has shape (N,), "
        "which aligns on the right as (1, N), so x - m subtracts in the wrong places (element j "
        "of row i loses the maximum of row j). A square input happens not to raise. Compute m "
        "with keepdim=True and drop that dimension at the end.",
    ),
    # ---- batched Gram matrices
    "elementwise_instead_of_matmul": (
        "* 是逐元素相乘，结果形状和 X 相同 (..., n, d)；这里要的是矩阵乘法 X Xᵀ，形状 (..., n, n)。"
        "用 @（torch.matmul），把第二个因子的最后两维转置：X @ X.mT。",
        "* multiplies element by element and keeps X's shape (..., n, d); what is asked for is "
        "the matrix product X Xᵀ of shape (..., n, n). Use @ (torch.matmul) with the last two "
        "dimensions of the second factor transposed: X @ X.mT.",
    ),
    "gram_factors_swapped": (
        "你算的是 Xᵀ X，形状 (..., d, d)：每两列的内积。题目要的是 X Xᵀ，形状 (..., n, n)：每两行的内积。"
        "矩阵乘法不能交换因子的顺序。",
        "You computed Xᵀ X, of shape (..., d, d): the inner products of pairs of columns. The "
        "exercise asks for X Xᵀ, of shape (..., n, n): the inner products of pairs of rows. "
        "The factors of a matrix product cannot be swapped.",
    ),
    # ---- pairwise squared distances
    "rowwise_instead_of_pairwise": (
        "A - B 把第 i 个点只和 B 的第 i 个点配对（形状相同时逐行相减），得到的是 N 个距离，不是 N×M "
        "个两两之间的距离。给 A 加一维成 (N, 1, d)，给 B 加一维成 (1, M, d)，广播出 (N, M, d) 的差。",
        "A - B pairs point i only with point i of B (a row-by-row difference when the shapes "
        "match), which gives N distances, not the N×M distances between all pairs. Make A "
        "(N, 1, d) and B (1, M, d), so that their difference broadcasts to (N, M, d).",
    ),
    "distances_not_squared": (
        "这是距离本身，不是距离的平方：多开了一次平方根（torch.cdist 返回的就是距离）。去掉 sqrt，"
        "或者把 cdist 的结果平方。",
        "These are the distances themselves, not their squares: there is one square root too "
        "many (torch.cdist returns distances). Drop the sqrt, or square what cdist returns.",
    ),
    "mean_over_features": (
        "你对 d 个坐标的平方差取了平均，而平方距离是它们的和，所以结果小了 d 倍。用 .sum(dim=-1)。",
        "You averaged the d squared coordinate differences, but a squared distance is their "
        "sum, so the result is d times too small. Use .sum(dim=-1).",
    ),
    "pairwise_transposed": (
        "结果是转置的 (M, N)：第一维应当是 A 的点，第二维是 B 的点，D[i, j] 是 A[i] 和 B[j] 的平方距离。"
        "检查 A 和 B 在哪一边加了新维度。",
        "The result is transposed, (M, N): the first dimension should be the points of A and "
        "the second those of B, with D[i, j] the squared distance between A[i] and B[j]. Check "
        "which of A and B gets the new dimension where.",
    ),
    "summed_over_points": (
        "求和沿错了维度：差的形状是 (N, M, d)，你把点的那一维加起来了，坐标那一维还留着。"
        "平方距离是对最后一维 d 求和：.sum(dim=-1)。",
        "The sum ran along the wrong dimension: the differences have shape (N, M, d), and you "
        "added up a dimension of points while the coordinates stayed. A squared distance sums "
        "over the last dimension d: .sum(dim=-1).",
    ),
    # ---- per-column maxima
    "max_over_batch_dim": (
        "dim=0 在二维矩阵上是沿行往下，但在形状为 (B, R, C) 的一批矩阵上，它是沿批量那一维，比较的是不同的矩阵。"
        "行的方向是倒数第二维：用 dim=-2，这样不管前面有几个批量维都对。",
        "dim=0 goes down the rows of a 2-d matrix, but for a batch of shape (B, R, C) it runs "
        "along the batch dimension and compares different matrices. The rows are the "
        "second-to-last dimension: use dim=-2, which is right however many batch dimensions "
        "come first.",
    ),
    "values_indices_swapped": (
        "values 的位置上是一个整数张量，正是最大值所在的索引：两者的顺序反了。"
        "x.max(dim=...) 返回的顺序是 (values, indices)。",
        "In the place of values there is an integer tensor, exactly the indices of the maxima: "
        "the two are swapped. x.max(dim=...) returns them in the order (values, indices).",
    ),
    "not_values_and_indices": (
        "函数应当返回两个张量 (values, indices)。x.max(dim=...) 正好返回这一对；x.amax(...) 只给最大值，"
        "不给 dim 的 x.max() 只给一个数。",
        "The function should return two tensors, (values, indices). x.max(dim=...) returns "
        "exactly that pair; x.amax(...) gives only the maxima, and x.max() without dim gives a "
        "single number.",
    ),
}

# Errors of this chapter's operations, explained (tried before the general explanations).
TORCH_ERRORS = [
    (r"(self|mat2) must be a matrix",
     "torch.mm 只接受两个二维矩阵，不处理批量。一批矩阵用 @（torch.matmul），它会广播批量维。",
     "torch.mm accepts two 2-d matrices only, no batches. For a batch of matrices use @ "
     "(torch.matmul), which broadcasts the batch dimensions."),
    (r"batch[12] must be a 3D tensor|Expected size for first two dimensions of batch2",
     "torch.bmm 只接受两个三维张量 (b, n, k) 和 (b, k, m)，批量大小 b 还必须相同。"
     "想处理任意多个批量维，用 @（torch.matmul）。",
     "torch.bmm accepts only two 3-d tensors (b, n, k) and (b, k, m) with the same batch size "
     "b. For any number of batch dimensions use @ (torch.matmul)."),
]
