"""Chapter 03 (arithmetic and broadcasting): the mistakes its exercises invite."""

MISTAKES = {
    # ---- the broadcasting rule (exercise 1)
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
    "broadcast_rule_by_torch": (
        "这道题要你自己写出广播规则：torch.broadcast_shapes、broadcast_tensors 和 broadcast_to 直接给出答案，"
        "所以不能用。先在较短的形状左边补 1，再从右往左逐维比较：两个长度相等，或者有一个是 1，才能广播。",
        "This exercise asks you to write the broadcasting rule yourself: torch.broadcast_shapes, "
        "broadcast_tensors and broadcast_to hand you the answer, so they are not allowed. Pad the "
        "shorter shape with 1s on its left, then compare the sizes dimension by dimension from the "
        "right: they broadcast only when they are equal or one of them is 1.",
    ),
    "broadcast_raised_instead_of_none": (
        "这两个形状确实不能广播，但题目要求这时返回 None，而不是抛出异常：某一对长度冲突时，return None。"
        "（如果这个异常不是你有意抛出的，上面的行号指出了它出在哪一行。）",
        "These two shapes indeed cannot broadcast, but the exercise asks for None in that case, not "
        "an exception: when a pair of sizes clashes, return None. (If you did not raise this "
        "exception on purpose, the line number above shows where it came from.)",
    ),
    # ---- a per-sample loss (exercise 2)
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
    # ---- a masked softmax (exercise 3)
    "masked_row_nan": (
        "有一行一个保留的位置都没有：把被忽略的位置填成 -inf 以后，这一行全是 -inf，softmax 算出的是 "
        "0/0 = nan。题目要求这样的行全是 0：例如最后用 torch.where(mask, probs, 0) 把被忽略的位置置成 0"
        "（整行都被忽略的情况也就一起处理了），或者用 nan_to_num。",
        "One row keeps no position at all: once the ignored positions are filled with -inf, that row "
        "is all -inf, and softmax gives 0/0 = nan. The exercise wants such a row to be all zeros: "
        "for example, set the ignored positions to 0 at the end with torch.where(mask, probs, 0), "
        "which also covers a row that keeps nothing, or use nan_to_num.",
    ),
    "masked_row_uniform": (
        "被忽略的位置填的是一个很大的负数（例如 -1e9），而不是 -inf。一行里只要还有保留的位置，这样做没有问题；"
        "可一整行都被忽略时，这一行的数全都一样，softmax 把概率平分给了这些被忽略的位置，而题目要求这一行全是 0。"
        "填 -inf 并把一个都没保留的行变成 0，或者最后用 torch.where(mask, probs, 0)。",
        "The ignored positions were filled with a large negative number (such as -1e9) rather than "
        "-inf. That works as long as a row keeps at least one position, but when a whole row is "
        "ignored its numbers are all equal, and softmax shares the probability out among ignored "
        "positions, while the exercise wants that row all zeros. Fill with -inf and turn a row that "
        "keeps nothing into zeros, or finish with torch.where(mask, probs, 0).",
    ),
    "masked_after_softmax": (
        "你先对整行做了 softmax，再把被忽略的位置乘成 0。被忽略的位置虽然是 0 了，保留的位置加起来却不再是 1："
        "被忽略的那部分概率被直接扔掉了。要在 softmax 之前把被忽略的位置填成 -inf（masked_fill），"
        "因为 e^(-inf) = 0，它们就不参与归一化了。",
        "You took the softmax of the whole row and then multiplied the ignored positions by 0. They "
        "are 0 now, but the kept positions no longer add up to 1: the probability of the ignored "
        "ones was simply thrown away. Fill the ignored positions with -inf before the softmax "
        "(masked_fill): e^(-inf) = 0, so they take no part in the normalisation.",
    ),
    "masked_with_zero": (
        "被忽略的位置填成了 0。可 e^0 = 1，分数为 0 并不是\"没有\"，这些位置照样分到了概率。要填 -inf"
        "（例如 scores.masked_fill(~mask, -math.inf)），只有 e^(-inf) 才等于 0。",
        "The ignored positions were filled with 0. But e^0 = 1: a score of 0 is not \"nothing\", "
        "and those positions still get probability. Fill them with -inf (for example "
        "scores.masked_fill(~mask, -math.inf)); only e^(-inf) is 0.",
    ),
    "mask_inverted": (
        "掩码用反了：True 表示保留，False 表示忽略，你忽略的却是 True 的位置。masked_fill 填的是条件为 "
        "True 的位置，所以要填的是 ~mask。",
        "The mask is the wrong way round: True means keep and False means ignore, but you ignored "
        "the True positions. masked_fill fills where its condition is True, so the positions to "
        "fill are ~mask.",
    ),
    "softmax_unstable": (
        "这是直接按公式 exp(s) / sum(exp(s)) 算出的结果：分数很大时 exp 上溢成 inf，inf / inf 得到 nan。"
        "先沿最后一维减去最大值再取 exp，或者直接用 torch.softmax(..., dim=-1)。",
        "This is the formula exp(s) / sum(exp(s)) computed as written: for large scores exp "
        "overflows to inf, and inf / inf is nan. Subtract the maximum along the last dimension "
        "before exp, or simply use torch.softmax(..., dim=-1).",
    ),
    "softmax_wrong_dim": (
        "softmax 沿错了维度：dim 写哪一维，就在哪一维上归一化。这里要沿最后一维（每个查询在它的 K 个位置上）"
        "归一化，用 dim=-1；不管前面有几个批量维，dim=-1 都是对的。",
        "The softmax ran along the wrong dimension: the dim you name is the one that gets "
        "normalised. Here it is the last dimension (each query over its K positions): use dim=-1, "
        "which is right however many batch dimensions come first.",
    ),
    # ---- log-mean-exp (exercise 4)
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
    # ---- batched Gram matrices (exercise 5), and attention scores (exercise 9)
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
    "batch_transposed_with_T": (
        "批量维被搅进了矩阵里：在三维或更高维的张量上，.T（以及 transpose(0, 1)）会把批量维挪走，例如 (B, n, d) "
        "的 .T 是 (d, n, B)，批量维跑到了最后，于是 @ 把 B 和 d 当成批量维去对齐：对不上就报错，碰巧对得上"
        "（比如 (2, 2, 2)）就悄悄算出别的数。要转置的是每个矩阵的最后两维：写 .mT（等同于 transpose(-2, -1)），"
        "或者用 einsum 写出下标。",
        "The batch dimension got mixed into the matrices: on a tensor with three or more dimensions, "
        ".T (and transpose(0, 1)) moves the batch dimension away. The .T of a (B, n, d) tensor is "
        "(d, n, B), batch last, so @ lines B up against d as batch dimensions: an error when they "
        "differ, and quietly other numbers when they happen to fit, as in (2, 2, 2). What must be "
        "transposed is the last two dimensions of each matrix: write .mT (the same as "
        "transpose(-2, -1)), or spell out the subscripts with einsum.",
    ),
    "mm_or_bmm_on_batch": (
        "torch.mm 只接受两个二维矩阵；torch.bmm 只接受两个三维张量，而且批量大小要相同。这道题的 X 可以有任意多个"
        "批量维（也可以没有），所以要用 @（torch.matmul）：它把最后两维当作矩阵相乘，并按广播规则处理前面的批量维。",
        "torch.mm accepts two 2-d matrices only, and torch.bmm two 3-d tensors with the same batch "
        "size. Here X may have any number of batch dimensions (or none), so use @ (torch.matmul): it "
        "multiplies the last two dimensions as matrices and broadcasts the batch dimensions in front.",
    ),
    # ---- pairwise squared distances (exercise 6)
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
    # ---- per-column maxima (exercise 7)
    "reduced_wrong_dim": (
        "归约沿错了维度：dim 写哪一维，哪一维就被压掉。对矩阵来说，dim=0 沿着行往下合并，"
        "得到每一列的结果；dim=1（或 dim=-1）得到每一行的结果。对照题目要的是\"每行\"还是\"每列\"。",
        "The reduction ran along the wrong dimension: the dim you name is the one that is "
        "squeezed out. For a matrix, dim=0 combines down the rows and gives one result per "
        "column; dim=1 (or dim=-1) gives one result per row. Check whether the exercise asks "
        "for each row or each column.",
    ),
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
    # ---- the shape of an einsum, predicted (exercise 8)
    "einsum_output_order": (
        "输出各维的顺序就是 -> 右边下标的顺序，和它们在输入里出现的先后无关。照着 -> 右边的下标，一个一个写出"
        "对应的长度。",
        "The dimensions of the output come in the order of the subscripts to the right of ->, "
        "whatever order they appear in within the inputs. Read the subscripts after -> one by one "
        "and write down the length of each.",
    ),
    "einsum_batch_summed": (
        "b 写在 -> 右边，所以它保留下来，不会被求和：只有输出里不出现的下标才被求和。两个输入都有、输出里也有的"
        "下标（比如 b）是逐个配对，不是求和。",
        "b is listed to the right of ->, so it is kept, not summed: only a subscript missing from "
        "the output is summed over. A subscript that both inputs share and the output lists as well "
        "(such as b) pairs the inputs up element by element; it is not summed.",
    ),
    "einsum_summed_index_kept": (
        "d 没有写在 -> 右边，所以沿 d 相乘之后会被求和，输出里没有这一维。",
        "d is not listed to the right of ->, so it is multiplied along and summed over, and the "
        "output has no such dimension.",
    ),
    "einsum_repeated_index_summed": (
        "一个下标在两个输入里都出现，并不因此就被求和：求不求和由输出决定。d 写在了 -> 右边，所以它保留下来，"
        "结果是逐元素的乘积，没有求和。",
        "A subscript that appears in both inputs is not summed for that reason alone: the output "
        "decides. d is listed to the right of ->, so it is kept, and the result is an element-wise "
        "product with no sum.",
    ),
    # ---- attention scores (exercise 9)
    "scores_not_scaled": (
        "分数没有除以 √d：q 和 k 的内积还要除以向量维数 d 的平方根（d 就是 q.shape[-1]），"
        "例如 / math.sqrt(q.shape[-1])。",
        "The scores were not divided by √d: the inner product of q and k must still be divided by "
        "the square root of the vectors' dimension d (d is q.shape[-1]), for example "
        "/ math.sqrt(q.shape[-1]).",
    ),
    "scores_scaled_by_d": (
        "你除以的是 d，而不是 d 的平方根 √d。用 math.sqrt(q.shape[-1]) 或 q.shape[-1] ** 0.5。",
        "You divided by d instead of its square root √d. Use math.sqrt(q.shape[-1]) or "
        "q.shape[-1] ** 0.5.",
    ),
    "scores_transposed": (
        "结果的最后两维反了，是 (B, K, Q)：S[b, i, j] 应当是第 i 个查询和第 j 个键的分数，所以查询在前、键在后。"
        "einsum 的输出写成 \"bqk\"，或者用 q @ k.mT。",
        "The last two dimensions of the result are swapped, (B, K, Q): S[b, i, j] should be the "
        "score of query i with key j, so queries come first and keys second. Write the output of "
        "einsum as \"bqk\", or use q @ k.mT.",
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
