"""Chapter 01 (tensor creation): the mistakes its exercises invite."""

MISTAKES = {
    # dtypes: torch.tensor infers, torch.Tensor does not
    "int_data_is_float": (
        "torch.tensor 根据数据推断数据类型：全是整数的数据得到 int64（torch.long），"
        "只有出现带小数点的数时才是 float32。",
        "torch.tensor infers the dtype from the data: all-integer data gives int64 (torch.long); "
        "only a number with a decimal point makes it float32.",
    ),
    "tensor_class_infers_dtype": (
        "大写的 torch.Tensor 是类，它不看数据推断类型，总是得到默认的浮点类型 float32；"
        "会推断数据类型的是小写的函数 torch.tensor。",
        "The capitalised torch.Tensor is the class: it does not infer a dtype from the data and "
        "always gives the default floating-point type, float32. The lowercase function "
        "torch.tensor is the one that infers.",
    ),
    "tensor_class_size_is_data": (
        "给 torch.Tensor 一个整数 n，它把 n 当成形状：torch.Tensor(3) 是形状为 (3,) 的未初始化张量，"
        "而不是只含一个数 3 的标量（那是 torch.tensor(3)）。",
        "Given one integer n, torch.Tensor takes n as a shape: torch.Tensor(3) is an "
        "uninitialised tensor of shape (3,), not a scalar holding the number 3 (that is "
        "torch.tensor(3)).",
    ),
    "full_dtype_from_fill": (
        "torch.full 的数据类型跟着填充值走：填充值 7 是整数，结果就是 int64；写成 7.0 才是 float32。",
        "The dtype of torch.full follows the fill value: 7 is an integer, so the result is "
        "int64; only 7.0 gives float32.",
    ),
    "int_instead_of_float": (
        "结果是整数（int64）：计数被建成了 int64 张量，权重也被转成了整数，小数部分就这样被截掉了。"
        "应该反过来，把计数转成权重的数据类型：weights.new_tensor(counts)，"
        "或者 torch.tensor(counts, dtype=weights.dtype, device=weights.device)。",
        "The result is integer (int64): the counts became an int64 tensor and the weights were "
        "turned into integers, which cut off their fractional parts. Do it the other way round "
        "and convert the counts to the weights' dtype: weights.new_tensor(counts), or "
        "torch.tensor(counts, dtype=weights.dtype, device=weights.device).",
    ),
    "hardcoded_float32": (
        "你把结果固定成了 float32（例如用了 .float()），可权重不一定是 float32，这里它是 float64。"
        "不要写死数据类型，而是跟着权重走：dtype=weights.dtype，或者用 weights.new_tensor(counts)。",
        "You fixed the result to float32 (with .float(), say), but the weights are not always "
        "float32: here they are float64. Do not hard-code the dtype; follow the weights: "
        "dtype=weights.dtype, or weights.new_tensor(counts).",
    ),
    # sequences
    "linspace_counts_intervals": (
        "linspace 的 steps 是点的个数，不是段数：n 段之间的点有 n + 1 个（两端都算）。"
        "所以间距为 spacing 时，点数是 (end − start) / spacing + 1。",
        "The steps of linspace is the number of points, not of intervals: n intervals have n + 1 "
        "points (both ends count). So for a spacing of spacing, the number of points is "
        "(end − start) / spacing + 1.",
    ),
    "float_quotient_truncated": (
        "(end − start) / spacing 在浮点数里可能比整数小一点点（例如 0.3 / 0.1 = 2.9999999999999996），"
        "int() 会直接把它截断成 2。先用 round() 四舍五入成最接近的整数。",
        "In floating point (end − start) / spacing can land just below a whole number (0.3 / 0.1 "
        "= 2.9999999999999996, for example), and int() cuts it down to 2. Round it to the nearest "
        "whole number with round() first.",
    ),
    "arange_excludes_end": (
        "arange 的区间是 [start, end)，终点取不到，所以少了最后一个点。先算出点数 "
        "n = round((end − start) / step) + 1，再用 torch.linspace(start, end, n) 或 "
        "start + step * torch.arange(n)。",
        "arange covers [start, end): the end is excluded, so the last point is missing. Work out "
        "the number of points n = round((end − start) / step) + 1 first, then use "
        "torch.linspace(start, end, n) or start + step * torch.arange(n).",
    ),
    "arange_float_step_extra": (
        "用浮点步长时，把终点挪到 end + step 并不可靠：(end + step − start) / step 可能比整数多一点点，"
        "向上取整就多出一个元素（例如 torch.arange(1, 1.4, 0.1) 有 5 个元素）。"
        "先用整数算出点数 n = round((end − start) / step) + 1。",
        "With a float step, moving the end to end + step is not reliable: "
        "(end + step − start) / step can land just above a whole number, and rounding up adds one "
        "element (torch.arange(1, 1.4, 0.1) has 5 elements, for example). Work out the number of "
        "points n = round((end − start) / step) + 1 with integers first.",
    ),
    # tensors modelled on another tensor
    "ignored_reference_dtype": (
        "新张量没有沿用参考张量的数据类型：torch.full、torch.zeros 这类工厂函数默认用 float32。"
        "用参考张量的 new_* 方法（例如 weight.new_full(...)），或者写明 dtype=weight.dtype。",
        "The new tensor did not take the reference tensor's dtype: factories such as torch.full "
        "and torch.zeros default to float32. Use the reference tensor's new_* methods (such as "
        "weight.new_full(...)), or pass dtype=weight.dtype.",
    ),
    "int_fill_value": (
        "填充值是整数，torch.full 就推断出 int64。用 weight.new_full(...) 沿用参考张量的数据类型，"
        "或者写明 dtype=weight.dtype。",
        "The fill value is an integer, so torch.full infers int64. Use weight.new_full(...) to "
        "take the reference tensor's dtype, or pass dtype=weight.dtype.",
    ),
    "like_copies_shape": (
        "*_like 函数照搬参考张量的整个形状：full_like(weight, ...) 的形状是 (out, in)，而这里只要 (out,)。"
        "要换形状，用 new_* 方法：weight.new_full((weight.shape[0],), value)。",
        "The *_like functions copy the whole shape of the reference: full_like(weight, ...) has "
        "shape (out, in), but (out,) is needed here. For another shape use a new_* method: "
        "weight.new_full((weight.shape[0],), value).",
    ),
    "ignored_reference_device": (
        "新张量不在参考张量所在的设备上：工厂函数默认把张量建在 CPU 上。用参考张量的 new_* 方法，"
        "或者写明 device=weights.device（参考张量是 weight 时写 device=weight.device）。",
        "The new tensor is not on the reference tensor's device: factories create tensors on the "
        "CPU by default. Use the reference tensor's new_* methods, or pass device=weights.device "
        "(device=weight.device where the reference is weight).",
    ),
    # random numbers
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
    "generator_ignored": (
        "结果不跟着传进来的生成器走：抽样时没有用到参数 generator。把它传下去："
        "torch.randint(..., generator=generator)。",
        "The result does not follow the generator passed in: the draw did not use the generator "
        "argument. Pass it on: torch.randint(..., generator=generator).",
    ),
    "draws_not_restored": (
        "两次调用 fn() 得到的结果不同：第一次抽样已经让随机数生成器的状态往前走了，第二次抽到的是数列里的下一段。"
        "只设一次种子、然后连着抽两次，也是这个结果。第一次调用之前用 state = torch.get_rng_state() "
        "保存状态，第二次调用之前用 torch.set_rng_state(state) 恢复。",
        "The two calls of fn() give different results: the first draw moved the generator's state "
        "forward, so the second one got the next part of the sequence. Seeding once and then "
        "drawing twice gives the same result. Save the state with state = torch.get_rng_state() "
        "before the first call and restore it with torch.set_rng_state(state) before the second.",
    ),
    "changed_random_stream": (
        "第一次的结果不是 fn() 从当前状态本来会抽到的数：你重新设了种子（例如 torch.manual_seed(0)），"
        "两次结果虽然相等，却换掉了随机数流。不要重新设种子，而是保存并恢复状态："
        "torch.get_rng_state() / torch.set_rng_state()。",
        "The first result is not what fn() would have drawn from the current state: you re-seeded "
        "(with torch.manual_seed(0), say), which makes the two results equal but replaces the "
        "random stream. Do not re-seed; save and restore the state instead: "
        "torch.get_rng_state() / torch.set_rng_state().",
    ),
    "rewound_to_seed": (
        "torch.manual_seed(torch.initial_seed()) 把生成器拨回到数列的开头，而不是 fn() 开始抽样的那个位置"
        "（之前已经有别的代码抽过随机数）。要回到那个位置，得先保存状态：torch.get_rng_state() / "
        "torch.set_rng_state()。",
        "torch.manual_seed(torch.initial_seed()) rewinds the generator to the start of the "
        "sequence, not to where fn() started drawing (other code had drawn random numbers "
        "before). To get back to that point, save the state first: torch.get_rng_state() / "
        "torch.set_rng_state().",
    ),
    "not_a_pair": (
        "replay 要返回两次调用的结果，写成 return first, second。",
        "replay must return the results of both calls: return first, second.",
    ),
    # sharing memory with NumPy
    "predicted_copy_but_shares": (
        "这个张量其实与数组共享内存：torch.from_numpy 从不复制；torch.as_tensor 在不换数据类型、"
        "不换设备时也不复制；张量本来就是 float32 时，.float() 什么也不做，返回的就是它自己。",
        "This tensor does share memory with the array: torch.from_numpy never copies; "
        "torch.as_tensor does not copy either when neither the dtype nor the device changes; and "
        ".float() on a tensor that is float32 already does nothing and returns that very tensor.",
    ),
    "predicted_share_but_copies": (
        "这个张量其实是一份副本：torch.tensor 总是复制；torch.as_tensor 要换数据类型"
        "（例如 float64 → float32）时只能复制；换数据类型的 .float() / .to(dtype) 也会复制。",
        "This tensor is in fact a copy: torch.tensor always copies; torch.as_tensor has to copy "
        "when the dtype changes (float64 → float32, say); and .float() / .to(dtype) copy when they "
        "change the dtype.",
    ),
    "shared_numpy_array": (
        "你的张量与 NumPy 数组共享内存，以后改数组，张量也会跟着变。torch.from_numpy 和 torch.as_tensor "
        "都不复制；数组本来就是 float32 时，.float() 也不复制。用 torch.tensor(arr, dtype=torch.float32) "
        "复制一份。",
        "Your tensor shares memory with the NumPy array, so a later change to the array changes "
        "the tensor too. torch.from_numpy and torch.as_tensor do not copy, and neither does "
        ".float() when the array is float32 already. Make a copy with "
        "torch.tensor(arr, dtype=torch.float32).",
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
