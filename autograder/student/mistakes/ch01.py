"""Chapter 01 (tensor creation): the mistakes its exercises invite."""

MISTAKES = {
    # predicting dtypes
    "division_keeps_int": (
        "/ 是真正的除法：哪怕两边都是整数（整数张量除以一个 Python 整数也一样），结果也是浮点数，"
        "也就是默认的 float32。只有整除 // 才保持整数。",
        "/ is true division: even between integers (an integer tensor divided by a Python "
        "integer too) the result is floating point, the default float32. Only floor division // "
        "stays integer.",
    ),
    "int_times_float_is_int": (
        "大写的 torch.Tensor 是类，它不看数据，总是得到默认的浮点类型 float32；int64 和 float32 做逐元素"
        "运算，结果提升为 float32。不是哪个运算数写在前面，结果就跟谁。",
        "The capitalised torch.Tensor is the class: it ignores the data and always gives the "
        "default floating-point type, float32; an element-wise operation between int64 and "
        "float32 promotes to float32. The result does not follow whichever operand comes first.",
    ),
    "new_tensor_infers_dtype": (
        "x.new_tensor(data) 不从数据推断数据类型：新张量沿用 x 的数据类型（和设备），数据里的整数会被转过去。",
        "x.new_tensor(data) does not infer the dtype from the data: the new tensor takes the dtype "
        "(and device) of x, and integers in the data are converted to it.",
    ),
    "new_tensor_default_dtype": (
        "new_tensor 跟的不是默认的浮点类型，而是调用它的那个张量：w 是 float64，w.new_tensor(...) 也是。",
        "new_tensor does not follow the default floating-point type but the tensor it is called "
        "on: w is float64, and so is w.new_tensor(...).",
    ),
    # an evenly spaced grid
    "count_rounded_up": (
        "点数多了一个：(end − start) / step 在浮点数里可能比整数大一点点（例如 (0.4 − 0.1) / 0.1 = "
        "3.0000000000000004），向上取整（torch.arange 就是这样定点数的，math.ceil 也是）就多出一个点。"
        "它本该是整数，只是带着一点误差，所以用 round() 取最近的整数：n = round((end − start) / step)。",
        "One point too many: in floating point (end − start) / step can land just above a whole "
        "number ((0.4 − 0.1) / 0.1 = 3.0000000000000004, for example), and rounding up (how "
        "torch.arange counts its points, and what math.ceil does) adds one point. It is meant to "
        "be a whole number and is off by a tiny error only, so round it to the nearest one: "
        "n = round((end − start) / step).",
    ),
    "float_quotient_truncated": (
        "点数少了一个：(end − start) / step 在浮点数里可能比整数小一点点（例如 0.3 / 0.1 = "
        "2.9999999999999996），int() 会直接把它截断成 2。用 round() 取最近的整数。",
        "One point too few: in floating point (end − start) / step can land just below a whole "
        "number (0.3 / 0.1 = 2.9999999999999996, for example), and int() cuts it down to 2. "
        "Round it to the nearest whole number with round().",
    ),
    "arange_float_step_extra": (
        "把终点挪到 end + step 再交给 arange 并不可靠：end + step 本身也是浮点数运算的结果"
        "（0.2 + 0.1 = 0.30000000000000004），arange 可能把它也算成一个点。torch.arange(0, 0.2 + 0.1, 0.1) "
        "有 4 个元素，torch.arange(1, 1.3 + 0.1, 0.1) 有 5 个。先用 round() 算出点数，"
        "再生成 start + step * torch.arange(n)。",
        "Moving the end to end + step before calling arange is not reliable: end + step is "
        "itself computed in floating point (0.2 + 0.1 = 0.30000000000000004), and arange may count "
        "it as one more point. torch.arange(0, 0.2 + 0.1, 0.1) has 4 elements, and "
        "torch.arange(1, 1.3 + 0.1, 0.1) has 5. Work out the count with round() first, then "
        "build start + step * torch.arange(n).",
    ),
    "linspace_counts_intervals": (
        "linspace 的 steps 是点的个数，不是段数：n 段、每段长 step，需要 n + 1 个点（两端都算）。",
        "The steps of linspace is the number of points, not of intervals: n intervals of length "
        "step need n + 1 points (both ends count).",
    ),
    "linspace_includes_end": (
        "linspace 总是包含终点，所以点和点之间的间距变了：不含终点时，最后一个点应是 end − step。"
        "用 start + step * torch.arange(n)，n = round((end − start) / step)。",
        "linspace always includes its end, so the spacing of the points changed: without the end, "
        "the last point must be end − step. Use start + step * torch.arange(n) with "
        "n = round((end − start) / step).",
    ),
    "include_end_ignored": (
        "结果没有跟着 include_end 变：include_end=False 时不含终点，include_end=True 时终点是最后一个点，"
        "两者正好差一个点。",
        "The result does not follow include_end: with include_end=False the end is left out, with "
        "include_end=True it is the last point; the two differ by exactly one point.",
    ),
    # stretching contrast
    "uint8_wraps": (
        "(img − low) * 255 是在 uint8 里算的，超过 255 就回绕（对 256 取余，200 * 255 得到 56），"
        "而且不报错。先转成浮点数（img.float()）再乘。",
        "(img − low) * 255 is computed in uint8, which wraps around past 255 (modulo 256: "
        "200 * 255 gives 56) without an error. Convert to floating point (img.float()) before "
        "multiplying.",
    ),
    "stretch_not_uint8": (
        "结果是浮点数，而这里要的是 uint8：/ 总是得到浮点数。先用 torch.round 四舍五入，"
        "再用 .to(torch.uint8) 转回 uint8。",
        "The result is floating point, but uint8 is wanted: / always gives floating point. Round "
        "with torch.round, then convert back with .to(torch.uint8).",
    ),
    "truncated_not_rounded": (
        ".to(torch.uint8) 直接截掉小数部分（37.98 变成 37），而不是四舍五入。先 torch.round，再转换。",
        ".to(torch.uint8) cuts off the fractional part (37.98 becomes 37) instead of rounding. "
        "Apply torch.round first, then convert.",
    ),
    # reproducible dice
    "die_never_max": (
        "randint(low, high, size) 取不到上界 high：randint(1, sides, ...) 只给出 1 到 sides − 1，"
        "最大的点数永远掷不出来。上界要写 sides + 1。",
        "randint(low, high, size) never draws its upper bound high: randint(1, sides, ...) only "
        "gives 1 to sides − 1, so the top face never comes up. The upper bound must be sides + 1.",
    ),
    "die_has_zero": (
        "randint(0, sides, ...) 给出的是 0 到 sides − 1：骰子掷出了 0 点，却掷不出最大的点数。"
        "写成 randint(1, sides + 1, ...)，或者在结果上加 1。",
        "randint(0, sides, ...) gives 0 to sides − 1: the die shows 0 and never its top face. "
        "Write randint(1, sides + 1, ...), or add 1 to the result.",
    ),
    "die_not_integer": (
        "点数是浮点数，而这里要的是 int64 的整数张量：randint 本来就给出 int64，不要再指定浮点的数据类型，"
        "也不要转换它。",
        "The faces are floating point, but an int64 tensor is wanted: randint gives int64 by "
        "itself, so do not ask for a floating-point dtype and do not convert it.",
    ),
    "global_seed_changed": (
        "torch.manual_seed(seed) 改掉了全局随机数生成器的状态，程序里其他代码之后抽到的数都跟着变了。"
        "用你自己的生成器 g = torch.Generator().manual_seed(seed)，抽样时传 generator=g；或者把设种子和抽样"
        "一起放进 with torch.random.fork_rng(devices=[]): 里面。",
        "torch.manual_seed(seed) changed the state of the global random number generator, so "
        "everything other code draws afterwards changes too. Use a generator of your own, "
        "g = torch.Generator().manual_seed(seed), and pass generator=g to the draw; or put the "
        "seeding and the draw together inside with torch.random.fork_rng(devices=[]):.",
    ),
    "not_reproducible": (
        "抽样没有用上以 seed 为种子的生成器，而是从全局随机数流里接着往下抽，所以每次调用掷出的点数都不一样。"
        "用 g = torch.Generator().manual_seed(seed)，抽样时传 generator=g。",
        "The draw did not use a generator seeded with seed but went on along the global random "
        "stream, so every call rolls different faces. Use g = torch.Generator().manual_seed(seed) "
        "and pass generator=g to the draw.",
    ),
    "seed_ignored": (
        "换了 seed，点数却一模一样：生成器用的是一个固定的种子，而不是参数 seed。"
        "写 torch.Generator().manual_seed(seed)。",
        "Another seed rolled exactly the same faces: the generator was seeded with a fixed number "
        "instead of the parameter seed. Write torch.Generator().manual_seed(seed).",
    ),
    "drew_on_device": (
        "CPU 上的生成器只能在 CPU 上抽样：randint(..., generator=g, device=device) 在 GPU 上会报错，"
        "而且不同设备抽出的数本来就不一样。在 CPU 上抽样，再用 .to(device) 搬过去。",
        "A CPU generator can only draw on the CPU: randint(..., generator=g, device=device) fails "
        "on a GPU, and different devices draw different numbers anyway. Draw on the CPU, then "
        "move the result with .to(device).",
    ),
    # sharing memory with NumPy
    "predicted_copy_but_shares": (
        "这个张量其实与数组共享内存：torch.from_numpy 从不复制，对它做切片得到的是视图，仍然是同一块内存；"
        "torch.as_tensor 在不换数据类型、不换设备时也不复制；数据类型本来就对时，.float()、.double()、"
        ".to(dtype) 什么也不做，返回的就是原来那个张量。",
        "This tensor does share memory with the array: torch.from_numpy never copies, and "
        "slicing it gives a view of the same memory; torch.as_tensor does not copy either when "
        "neither the dtype nor the device changes; and when the dtype is right already, .float(), "
        ".double() and .to(dtype) do nothing and return that very tensor.",
    ),
    "predicted_share_but_copies": (
        "这个张量其实是一份副本：torch.tensor 总是复制；换数据类型（例如 float32 → float64）需要新的内存，"
        "所以 torch.as_tensor(..., dtype=...) 和真正换了类型的 .float()、.double()、.to(dtype) 都会复制。",
        "This tensor is in fact a copy: torch.tensor always copies; and a change of dtype "
        "(float32 → float64, say) needs new memory, so torch.as_tensor(..., dtype=...) and a "
        ".float(), .double() or .to(dtype) that really changes the type all copy.",
    ),
    # a real data table
    "shared_numpy_array": (
        "这个张量与 NumPy 数组共享内存，以后有人改了数组，张量也会跟着变。torch.from_numpy 和 "
        "torch.as_tensor 都不复制；数据类型本来就对时，.float()、.long() 返回的也是原来那个张量"
        "（float32 的表做 .float()，int64 的表做 .long()）。用 torch.tensor(table, dtype=...) 复制一份。",
        "This tensor shares memory with the NumPy array, so a later change to the array changes "
        "the tensor too. torch.from_numpy and torch.as_tensor do not copy, and when the dtype is "
        "right already, .float() and .long() return that very tensor (.float() of a float32 "
        "table, .long() of an int64 one). Make a copy with torch.tensor(table, dtype=...).",
    ),
    "features_dtype_kept": (
        "特征沿用了数组的数据类型（NumPy 默认是 float64），而模型的参数是 float32，这里要的也是 float32。"
        "转换时写明 dtype=torch.float32，或者调用 .float()。",
        "The features kept the array's dtype (NumPy's default is float64), but model parameters "
        "are float32, and float32 is wanted here. Pass dtype=torch.float32 when converting, or "
        "call .float().",
    ),
    "int_instead_of_float": (
        "结果是整数（int64），而这里要的是浮点数：整数的表转成张量还是 int64。"
        "转换时写明数据类型 dtype=torch.float32，或者调用 .float()。",
        "The result is integer (int64), but floating point is wanted: an integer table becomes an "
        "int64 tensor. Pass dtype=torch.float32 when converting, or call .float().",
    ),
    "label_column_kept": (
        "特征里还留着最后一列，也就是类别：特征只取除最后一列以外的各列，[:, :-1]。",
        "The features still hold the last column, the classes: take every column but the last "
        "for the features, [:, :-1].",
    ),
    "labels_not_integer": (
        "类别是浮点数，而这里要的是 int64：分类的损失函数（例如 cross_entropy）要求类别是 int64。"
        "对最后一列调用 .long()。",
        "The classes are floating point, but int64 is wanted: classification losses (such as "
        "cross_entropy) want the classes as int64. Call .long() on the last column.",
    ),
}

# PyTorch errors an answer in this chapter can raise, explained in the chapter's terms (tried
# before autograder/student/errors.py's general patterns).
TORCH_ERRORS = [
    (r"same dtype, but got: long int != (float|double)|same dtype, but got: (float|double) != long int"
     r"|same dtype, but found (Long and (Float|Double)|(Float|Double) and Long)",
     "整数张量（int64）遇上了浮点张量。torch.tensor([1, 2]) 这样的整数数据得到 int64；"
     "把它转成另一方的数据类型，例如 w.new_tensor(data) 或 torch.tensor(data, dtype=w.dtype)。",
     "An integer (int64) tensor met a floating-point one. Integer data such as "
     "torch.tensor([1, 2]) gives int64; convert it to the other tensor's dtype, for example "
     "w.new_tensor(data) or torch.tensor(data, dtype=w.dtype)."),
    (r"same dtype, but got: (float != double|double != float)"
     r"|same dtype, but found (Float and Double|Double and Float)",
     "float32 遇上了 float64（NumPy 数组和 float64 的权重都是 float64）。不要写死 float32，"
     "而是跟着另一方走：dtype=w.dtype，或者 w.new_tensor(data)。",
     "float32 met float64 (NumPy arrays and float64 weights are float64). Do not hard-code "
     "float32; follow the other tensor: dtype=w.dtype, or w.new_tensor(data)."),
]
