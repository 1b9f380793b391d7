"""Chapter 02 (indexing, slicing and reshaping): the mistakes its exercises invite."""

MISTAKES = {
    # predicting shapes
    "dimension_kept": (
        "整数索引（比如 0 或 -1）会去掉它所在的那一维，结果比 x 少一维；只有切片（比如 0:1 或 -1:）"
        "才会把这一维保留下来（长度为 1）。",
        "An integer index (such as 0 or -1) removes its dimension, so the result has one dimension "
        "fewer than x; only a slice (such as 0:1 or -1:) keeps the dimension (with length 1).",
    ),
    "dimension_dropped": (
        "切片（start:stop）即使只取出一个位置，也会保留那一维，长度为 1；只有整数索引才会去掉维度。",
        "A slice (start:stop) keeps its dimension even when it takes a single position, with "
        "length 1; only an integer index removes a dimension.",
    ),
    "none_position": (
        "None 在索引里写在哪里，新的长度为 1 的维度就出现在哪里。None 写在 ... 之后，"
        "新维度就加在最后，等价于 unsqueeze(-1)。",
        "A None creates the new dimension of length 1 exactly where it stands in the index. "
        "Written after ..., it adds the new dimension at the end, like unsqueeze(-1).",
    ),
    "none_consumes_dim": (
        "None 只是插入一个新维度，并不占用 x 的任何一维：它后面的各项仍然从 x 的第 0 维开始依次对应。",
        "A None only inserts a new dimension and uses up none of x's dimensions: the items after "
        "it still apply to x's dimensions in order, starting from dimension 0.",
    ),
    "step_slice_floor": (
        "带步长的切片取出的个数要向上取整：::2 从第 0 个开始每隔一个取一个，长度为 5 时取第 0、2、4 个，"
        "共 ⌈5/2⌉ = 3 个，而不是 5 // 2 = 2 个。",
        "A slice with a step takes a number of elements rounded up: ::2 takes every second element "
        "starting at 0, so of 5 elements it takes positions 0, 2 and 4, that is ⌈5/2⌉ = 3 "
        "elements, not 5 // 2 = 2.",
    ),
    "movedim_as_swap": (
        "movedim(0, 2) 把第 0 维挪到第 2 个位置，其余维度保持原来的先后顺序；它不是交换两个维度"
        "（交换是 transpose(0, 2)）。",
        "movedim(0, 2) moves dimension 0 to position 2 and the other dimensions keep their order; "
        "it does not swap two dimensions (swapping is transpose(0, 2)).",
    ),
    # picking one entry per row
    "all_pairs_indexing": (
        "probs[:, labels] 让每一行都取出 labels 里的所有列，得到 (N, N) 的矩阵。这里要的是第 i 行只配"
        "第 labels[i] 列：用 gather 沿第 1 维按标签取，或者同时用行号和标签两个整数张量成对索引。",
        "probs[:, labels] makes every row take all the columns in labels, giving an (N, N) matrix. "
        "What is wanted pairs row i with column labels[i] only: gather along dimension 1 by the "
        "labels, or index with two integer tensors, the row numbers and the labels, used in pairs.",
    ),
    "gather_index_transposed": (
        "gather 的结果和索引张量 index 形状相同，每个位置按同一位置的索引取值。每一行一个标签，index 应是"
        "形状为 (N, 1) 的一列；写成一行 (1, N)，取到的就全是第 0 行的元素。",
        "gather's result has the shape of index, and each position picks by the index at that same "
        "position. With one label per row, index must be a column of shape (N, 1); as a row of "
        "shape (1, N) every value comes from row 0.",
    ),
    "gather_wrong_dim": (
        "gather 的 dim 是按索引 index 挑选的那一维。按标签挑的是列，所以是 dim=1；dim=0 时标签被当成了行号，"
        "取到的是 probs[labels[i], 0] 这样的元素。",
        "gather's dim is the dimension that index picks along. Labels pick columns, so dim=1; with "
        "dim=0 the labels are taken as row numbers, and you get elements like probs[labels[i], 0].",
    ),
    "gather_index_not_2d": (
        "gather 要求索引 index 的维数和输入相同：(N, C) 的 probs 配一维的 labels (N,) 不行。先把标签变成一列，"
        "labels[:, None] 或 labels.unsqueeze(1)，取出的 (N, 1) 再 squeeze(1)。",
        "gather needs index to have as many dimensions as the input: an (N, C) probs cannot take "
        "1-d labels (N,). Turn the labels into a column first, labels[:, None] or "
        "labels.unsqueeze(1), and squeeze(1) the (N, 1) result.",
    ),
    "python_loop": (
        "这道题不能用 Python 循环：N 可能有几百万，逐个样本取值太慢。一次 gather 沿第 1 维按标签取值，"
        "或者用行号和标签两个整数张量成对索引：probs[torch.arange(len(labels)), labels]。",
        "This exercise does not allow a Python loop: N may be in the millions, and picking sample by "
        "sample is far too slow. One gather along dimension 1 by the labels does it, or indexing "
        "with two integer tensors used in pairs: probs[torch.arange(len(labels)), labels].",
    ),
    # image layout
    "reshape_instead_of_permute": (
        "形状对了，但像素乱了：reshape 只是按原来的顺序把数重新分组，而 (H, W, C) 里每个像素的几个通道"
        "挨在一起，reshape 没法把它们分到不同的通道里。调整维度的顺序要用 permute 或 movedim。",
        "The shape is right but the pixels are scrambled: reshape only regroups the numbers in their "
        "existing order, and in (H, W, C) each pixel's channels sit next to each other, so reshape "
        "cannot separate them into channels. Reordering dimensions needs permute or movedim.",
    ),
    "height_width_swapped": (
        "高和宽对调了：通道挪到前面之后，高（原来的 H）仍应在宽（W）之前。permute 的参数依次写出新张量的"
        "每一维取自原张量的哪一维。",
        "Height and width are swapped: once the channels move to the front, the height (the old H) "
        "must still come before the width (W). permute's arguments say, for each dimension of the "
        "new tensor in turn, which dimension of the old one it takes.",
    ),
    "permute_fixed_dims": (
        "permute 的参数个数必须等于张量的维数：单张图片有 3 维，一批图片有 4 维 (N, H, W, C)，"
        "permute(2, 0, 1) 只对前者成立。用负数表示的维度或 movedim(-1, -3)，同一行代码对两种情况都成立。",
        "permute needs exactly one entry per dimension: a single image has 3, a batch "
        "(N, H, W, C) has 4, and permute(2, 0, 1) fits only the first. Negative dimensions, or "
        "movedim(-1, -3), let one line of code handle both.",
    ),
    # cropping
    "crop_axes_swapped": (
        "top 和 height 属于高（倒数第 2 维，行），left 和 width 属于宽（最后一维，列），你把两者用反了。",
        "top and height belong to the height (the second-to-last dimension, rows), left and width "
        "to the width (the last dimension, columns); you used them the other way round.",
    ),
    "crop_leading_dims": (
        "裁剪落在了最前面的维度上（通道或批量），而不是最后两维（高和宽）。图片可能是 (C, H, W)，"
        "也可能是一批 (N, C, H, W)：用 ... 跳过前面所有的维度。",
        "The crop landed on the leading dimensions (channels or batch) instead of the last two "
        "(height and width). The image may be (C, H, W) or a batch (N, C, H, W): use ... to skip "
        "all the leading dimensions.",
    ),
    # writing in place
    "x_unchanged": (
        "调用之后 x 没有变，你的函数返回的也是这个没变的 x：新的数值写进了别的张量。x[mask] 这样的高级索引"
        "得到的是副本，再往它里面写（x[mask][:] = 0）不会影响 x；torch.where、clamp 这类函数返回新张量，"
        "把它赋给一个局部变量也不会改变 x。要原地修改，就把索引直接写在赋值号左边，一步写进 x："
        "x[x < 0] = 0；或者用带下划线的原地方法，例如 x.clamp_(min=0)。",
        "x did not change, and your function returned that unchanged x: the new values went into "
        "another tensor. Advanced indexing such as x[mask] gives a copy, and writing into it "
        "(x[mask][:] = 0) leaves x alone; torch.where, clamp and the like return a new tensor, and "
        "binding it to a local name does not change x either. To change x in place, put the index "
        "directly on the left of the assignment so that one step writes into x: x[x < 0] = 0; or "
        "use an in-place method with an underscore, such as x.clamp_(min=0).",
    ),
    "new_tensor_not_in_place": (
        "你返回的张量数值是对的，可 x 本身没有变：torch.where、clamp、relu 这类函数返回的是新张量。"
        "这里要原地修改 x：x[x < 0] = 0、x.clamp_(min=0)，或者 x.copy_(新张量)，然后返回 x。",
        "The tensor you returned has the right values, but x itself did not change: torch.where, "
        "clamp, relu and the like return a new tensor. Here x must change in place: x[x < 0] = 0, "
        "x.clamp_(min=0), or x.copy_(the new tensor), then return x.",
    ),
    "reshape_copy_not_written": (
        "连续的 x 改对了，非连续的 x（例如转置得到的视图）却没有变：对非连续张量，reshape(-1)、flatten()、"
        "contiguous() 得到的是副本，写进副本到不了 x。不必先展平：和 x 形状相同的布尔掩码可以直接用，"
        "x[x < 0] = 0。",
        "A contiguous x was changed correctly, but a non-contiguous one (a view made by a "
        "transpose, say) did not change: for a non-contiguous tensor, reshape(-1), flatten() and "
        "contiguous() give a copy, and writes into that copy never reach x. There is no need to "
        "flatten: a boolean mask of x's own shape works directly, x[x < 0] = 0.",
    ),
    "view_of_noncontiguous": (
        "非连续的 x（例如转置得到的视图）不能用 view(-1) 展平：没有一组步幅能把它描述成一维，所以报错；"
        "换成 reshape(-1) 也不行，它会复制一份，写进副本到不了 x。不必先展平：和 x 形状相同的布尔掩码"
        "可以直接用，x[x < 0] = 0。",
        "A non-contiguous x (a view made by a transpose, say) cannot be flattened with view(-1): no "
        "strides describe it as 1-d, so it fails; reshape(-1) does not help either, as it makes a "
        "copy, and writes into that copy never reach x. There is no need to flatten: a boolean "
        "mask of x's own shape works directly, x[x < 0] = 0.",
    ),
    # means per class
    "repeated_index_adds_once": (
        "每一类只算进了一行：标签里同一个类别出现多次时，sums[labels] += features（还有 scatter_）"
        "对重复的位置只写一次，后写的覆盖先写的，而不是累加。要累加，用 index_add_(0, labels, features)，"
        "或者 scatter_add_，或者 index_put_(..., accumulate=True)。",
        "Each class counted only one row: when a class occurs several times among the labels, "
        "sums[labels] += features (and scatter_) write a repeated position only once, a later write "
        "replacing an earlier one, instead of adding up. To accumulate, use "
        "index_add_(0, labels, features), scatter_add_, or index_put_(..., accumulate=True).",
    ),
    "empty_class_nan": (
        "没有样本的类别得到了 NaN：它的和是 0，个数也是 0，0 / 0 = NaN。这里要的是一行 0："
        "除数至少取 1（counts.clamp(min=1)），或者用 torch.where 只在个数大于 0 的地方相除。",
        "A class without samples got NaN: its sum is 0 and so is its count, and 0 / 0 = NaN. A row "
        "of zeros is wanted here: divide by at least 1 (counts.clamp(min=1)), or use torch.where "
        "to divide only where the count is above 0.",
    ),
    "sum_not_mean": (
        "这是每一类的和，不是平均值：还要除以每一类的样本个数。",
        "These are the sums per class, not the means: divide by the number of samples of each "
        "class as well.",
    ),
    "divided_by_all_samples": (
        "除数用了样本总数 N，而每一类的平均值要除以这一类自己的样本个数：先数出每一类有几个"
        "（例如 torch.bincount(labels, minlength=num_classes)），再逐类相除。",
        "The sums were divided by the total number of samples N, but each class's mean divides by "
        "that class's own count: count the samples per class first (for example "
        "torch.bincount(labels, minlength=num_classes)), then divide class by class.",
    ),
    "scatter_index_one_column": (
        "只有第 0 列被累加了：scatter_add_ 只写索引 index 覆盖到的位置，形状为 (N, 1) 的 labels[:, None] "
        "只覆盖第 0 列。把它扩展到每一列：labels[:, None].expand(-1, D)，或者改用 index_add_。",
        "Only column 0 was summed: scatter_add_ writes only where index reaches, and "
        "labels[:, None] of shape (N, 1) reaches column 0 only. Stretch it over every column, "
        "labels[:, None].expand(-1, D), or use index_add_ instead.",
    ),
    "scatter_index_not_expanded": (
        "scatter_add_ 要求 index 的维数和 self 相同：一维的 labels (N,) 配不上二维的 (num_classes, D)。"
        "写成 labels[:, None].expand(-1, D)；或者改用 index_add_(0, labels, features)，它接受一维的索引。",
        "scatter_add_ needs index to have as many dimensions as self: 1-d labels (N,) do not fit "
        "a 2-d (num_classes, D). Write labels[:, None].expand(-1, D); or use "
        "index_add_(0, labels, features), which takes a 1-d index.",
    ),
    "counts_too_short": (
        "个数的长度和类别数对不上：torch.bincount(labels) 的长度是 labels 里最大的类别加 1，编号最大的"
        "几个类别没有样本时，它就比 num_classes 短。写 torch.bincount(labels, minlength=num_classes)。",
        "The counts do not have one entry per class: torch.bincount(labels) has length (largest "
        "label) + 1, which falls short of num_classes when the highest classes have no samples. "
        "Write torch.bincount(labels, minlength=num_classes).",
    ),
    # expand versus repeat
    "repeat_tiles_existing_dim": (
        "repeat 把参数依次对应到维度上，是把已有的维度重复：一维的 row.repeat(n) 得到 (n·D,)，"
        "二维的 row.repeat(n, 1) 得到 (n·a, b)。要在前面新加一维，参数要比 row 的维数多一个："
        "row.repeat(n, *[1] * row.dim())，或者先 row.unsqueeze(0)。",
        "repeat matches its arguments to dimensions in turn and repeats the existing ones: a 1-d "
        "row.repeat(n) gives (n·D,), a 2-d row.repeat(n, 1) gives (n·a, b). To add a new dimension "
        "in front, give one more argument than row has dimensions: row.repeat(n, *[1] * row.dim()), "
        "or row.unsqueeze(0) first.",
    ),
    "repeat_copies": (
        "结果不与 row 共享内存：repeat（还有 clone、stack）把数据真的复制了 n 遍。只读的时候不必复制："
        "row.expand(n, *row.shape) 得到一个步幅为 0 的视图，不占额外的内存。",
        "The result does not share memory with row: repeat (and clone, and stack) really copies the "
        "data n times. Nothing needs copying when it is only read: row.expand(n, *row.shape) gives "
        "a view with stride 0 that takes no extra memory.",
    ),
    "expand_writes_through": (
        "结果与 row 共享内存：expand 得到的是视图，往里写（比如 fill_ 或 t[0, 0] = 5）会悄悄改掉 row，"
        "一次还改掉好几个位置。要写，就得有自己的存储：row.repeat(...)，或者 expand 之后再 .clone()。",
        "The result shares memory with row: expand gives a view, and writing into it (fill_, or "
        "t[0, 0] = 5) silently changes row, several positions at a time. Something to write into "
        "needs storage of its own: row.repeat(...), or .clone() after expand.",
    ),
    "rows_share_memory": (
        "结果不与 row 共享内存了，可它的各行仍然共用同一块内存：往第 0 行里写，别的行也跟着变。"
        "row.clone().expand(...) 就是这样，先复制的只是一行，expand 又让各行指向它。要先 expand、"
        "后 clone，或者用 repeat，让每个元素都有自己的位置。",
        "The result no longer shares memory with row, but its rows still share one piece of "
        "memory: writing into row 0 changes the others too. row.clone().expand(...) does this: the "
        "clone copies one row only, and expand points every row at it. Expand first and clone "
        "afterwards, or use repeat, so that every element has a place of its own.",
    ),
    "expand_needs_new_dim": (
        "expand 只能拉长长度为 1 的维度，或者在最前面添加新维度；它把参数从最后一维往前对齐，"
        "所以 row.expand(n, -1) 只对一维的 row 成立。对任意形状写 row.expand(n, *row.shape)。",
        "expand can only stretch dimensions of length 1 or add new ones in front; it lines its "
        "arguments up from the last dimension backwards, so row.expand(n, -1) works for a 1-d row "
        "only. For any shape write row.expand(n, *row.shape).",
    ),
    # exactly k shards
    "chunk_sizes_differ": (
        "分片的大小不对：chunk(k) 每片取 ⌈N/k⌉ 行，最后一片可能小得多，片数也可能不足 k（6 行 chunk(4) "
        "只有 3 片）。要正好 k 片、大小相差不超过 1，用 tensor_split(k)。",
        "The shards have the wrong sizes: chunk(k) puts ⌈N/k⌉ rows in each piece, so the last one "
        "can be much smaller and there may be fewer than k pieces (chunk(4) of 6 rows gives 3). "
        "For exactly k shards whose sizes differ by at most one, use tensor_split(k).",
    ),
    "split_size_not_count": (
        "split(k) 的 k 是每片的行数，不是片数：10 行 split(4) 得到 4、4、2 行三片。要分成 k 片，"
        "用 tensor_split(k)。",
        "The k of split(k) is the number of rows per piece, not the number of pieces: split(4) of "
        "10 rows gives three pieces of 4, 4 and 2 rows. For k pieces use tensor_split(k).",
    ),
    "remainder_in_last_shard": (
        "多出来的行全给了最后一片：N 不能被 k 整除时，余下的 N % k 行要分给前面的几片，每片一行，"
        "这样各片大小相差不超过 1。tensor_split(k) 正是这样分的。",
        "All the leftover rows went to the last shard: when k does not divide N, the N % k "
        "leftover rows go one each to the first shards, so that sizes differ by at most one. "
        "tensor_split(k) splits exactly like that.",
    ),
    "shards_need_equal_sizes": (
        "view(k, -1, ...) 或 reshape 要求 N 能被 k 整除，否则报错：N % k 不为 0 时，各片的大小本来就不一样。"
        "用 tensor_split(k) 切分，再对每一片求平均。",
        "view(k, -1, ...) or reshape needs k to divide N and fails otherwise: when N % k is not 0, "
        "the shards cannot all have the same size. Split with tensor_split(k), then average each "
        "shard.",
    ),
}

# What PyTorch's errors mean in this chapter's exercises; tried before the general patterns.
TORCH_ERRORS = [
    (r"KeyError: \W*x[\[.]",  # the referee's copy of the error quotes its message once more
     "predicted_shape 不认识这个表达式：你的字典（或 if 分支）里要有 EXPRESSIONS 里的每一个字符串，"
     "一模一样。",
     "predicted_shape does not know this expression: your dict (or your if branches) must hold "
     "every string in EXPRESSIONS, exactly as written there."),
    (r"Index tensor must have the same number of dimensions as input tensor",
     "gather 要求 index 的维数和输入相同：(N, C) 的输入配一维的标签 (N,) 不行，要先把标签变成一列 (N, 1)。",
     "gather needs index to have as many dimensions as the input: an (N, C) input cannot take "
     "1-d labels (N,); turn the labels into a column (N, 1) first."),
    (r"does not match the length of the desired ordering of dimensions",
     "permute 的参数个数必须等于张量的维数：单张图片有 3 维，一批图片有 4 维 (N, H, W, C)。"
     "用负数表示的维度（例如 -1 是最后一维）或 movedim，可以让同一行代码对两种情况都成立。",
     "permute needs exactly one entry per dimension: a single image has 3, a batch (N, H, W, C) "
     "has 4. Negative dimensions (-1 is the last) or movedim let one line of code handle both."),
]
