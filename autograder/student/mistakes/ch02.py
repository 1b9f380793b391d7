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
    "write_into_mask_copy": (
        "调用之后 x 没有变：x[mask] 这样的高级索引（还有对非连续张量的 reshape）得到的是副本，"
        "往副本里写入不会影响 x；另起一个新张量也不会改变 x。要把索引直接写在赋值号左边，一步写进 x："
        "先求出位置，再对这个位置赋值。",
        "x did not change: advanced indexing such as x[mask] (and reshape of a non-contiguous "
        "tensor) gives a copy, and writing into that copy leaves x alone; so does building a new "
        "tensor. Put the index directly on the left of the assignment so that one step writes into "
        "x: find the position first, then assign to it.",
    ),
    "all_instead_of_first": (
        "x 中所有大于 limit 的元素都被改了，而这里只改第一个（按行优先的顺序）。",
        "Every element of x above limit was changed, but only the first one (in row-major order) "
        "should be.",
    ),
    # flattening columns
    "transpose_lost": (
        "结果是按行读的：要按列读，得先交换最后两维（transpose(-2, -1)）再展平。去掉转置虽然不再报错，"
        "顺序却不对。",
        "The result reads the matrix row by row: to read it column by column, swap the last two "
        "dimensions (transpose(-2, -1)) before flattening. Dropping the transpose removes the "
        "error, but the order is wrong.",
    ),
    "batch_dims_flattened": (
        "批量维也被展平了：只应把最后两维合并成一维，前面的批量维保持不变，例如 reshape(*x.shape[:-2], -1)"
        " 或 flatten(-2)。",
        "The batch dimensions were flattened too: merge only the last two dimensions into one and "
        "keep the leading batch dimensions, e.g. with reshape(*x.shape[:-2], -1) or flatten(-2).",
    ),
    # squeeze
    "squeeze_all": (
        "不带参数的 squeeze() 会删掉所有长度为 1 的维度：批量大小 N 为 1，或者高、宽为 1 时，"
        "这些维度也一起被删掉了。写明要删的是哪一维。",
        "squeeze() without an argument removes every dimension of length 1: when the batch size N "
        "is 1, or the height or width is 1, those dimensions go too. Name the dimension to remove.",
    ),
    "squeeze_wrong_dim": (
        "删的维度不对：形状是 (N, 1, H, W)，通道是第 1 维。squeeze(0) 在 N > 1 时什么也不做，"
        "在 N = 1 时反而删掉了批量维。",
        "The wrong dimension was removed: the shape is (N, 1, H, W), so the channel is dimension 1. "
        "squeeze(0) does nothing when N > 1 and removes the batch dimension when N = 1.",
    ),
    # building a batch
    "cat_instead_of_stack": (
        "cat 沿已有的第 0 维拼接，不会新建批量维：K 张形状为 (C, H, W) 的图片成了 (K·C, H, W)。"
        "要新建一维，用 stack。",
        "cat joins along the existing dimension 0 and creates no batch dimension: K images of "
        "shape (C, H, W) become (K·C, H, W). To create a new dimension, use stack.",
    ),
    "stack_wrong_dim": (
        "新的批量维加在了别的位置：它应该在最前面（dim=0），结果才是 (K, C, H, W)。",
        "The new batch dimension went somewhere else: it belongs in front (dim=0), giving "
        "(K, C, H, W).",
    ),
    "channel_dim_missing": (
        "灰度图 (H, W) 没有通道维，这一批应是 (K, 1, H, W)：还要在通道的位置加上一个长度为 1 的维度。",
        "A grey image (H, W) has no channel dimension, and the batch must be (K, 1, H, W): a "
        "dimension of length 1 still has to be added where the channels go.",
    ),
}

# What PyTorch's errors mean in this chapter's exercises; tried before the general patterns.
TORCH_ERRORS = [
    (r"KeyError: 'x[\[.]",
     "返回的字典里缺少这个表达式：字典的键要和 EXPRESSIONS 里的字符串一模一样。",
     "The dict you returned has no entry for this expression: its keys must be exactly the "
     "strings in EXPRESSIONS."),
    (r"Index tensor must have the same number of dimensions as input tensor",
     "gather 要求 index 的维数和输入相同：(N, C) 的输入配一维的标签 (N,) 不行，要先把标签变成一列 (N, 1)。",
     "gather needs index to have as many dimensions as the input: an (N, C) input cannot take "
     "1-d labels (N,); turn the labels into a column (N, 1) first."),
    (r"does not match the length of the desired ordering of dimensions",
     "permute 的参数个数必须等于张量的维数：单张图片有 3 维，一批图片有 4 维 (N, H, W, C)。"
     "用负数表示的维度（例如 -1 是最后一维）或 movedim，可以让同一行代码对两种情况都成立。",
     "permute needs exactly one entry per dimension: a single image has 3, a batch (N, H, W, C) "
     "has 4. Negative dimensions (-1 is the last) or movedim let one line of code handle both."),
    (r"index 0 is out of bounds for dimension 0 with size 0",
     "对一个空张量取了第 [0] 个元素：没有任何元素满足条件（例如没有元素大于 limit）。先判断有没有"
     "（例如 mask.any()），再取第一个。",
     "Element [0] of an empty tensor was taken: no element met the condition (no element above "
     "limit, say). Check that there is one (mask.any(), for example) before taking the first."),
]
