"""What the usual PyTorch errors mean, for messages about an exception inside a student's function.

``TORCH_ERRORS`` pairs a regular expression (searched in ``"ExceptionType: message"``) with what
it means and what to do, in Chinese and English. A chapter's mistake module may add its own
``TORCH_ERRORS``; they are tried before these general ones.
"""
import re

from autograder.student.mistakes import chapter_torch_errors

GENERAL = [
    (r"NotImplementedError",  # raised by the stub itself; calls.py reports it as unanswered
     "这道题还没有作答。", "This exercise is not answered yet."),
    (r"does not require grad and does not have a grad_fn",
     "对一个不在计算图里的张量调用了 backward() 或 torch.autograd.grad()，自动求导无从算起。常见原因：它依赖的张量没有 "
     "requires_grad=True；它是在 torch.no_grad() 里或由 detach() 之后的张量算出来的；参数在 "
     "torch.no_grad() 里被 w = w - lr * w.grad 换成了一个不需要梯度的新张量；或者它是一个导数，"
     "而求这个导数的 torch.autograd.grad 没有传 create_graph=True，所以不能再对它求导。",
     "backward() or torch.autograd.grad() was called on a tensor that is not in a computation "
     "graph, so autograd has nothing to work with. Usual reasons: what it depends on lacks requires_grad=True; it was computed inside "
     "torch.no_grad() or from a detached tensor; the parameter was replaced inside "
     "torch.no_grad() by w = w - lr * w.grad with a new tensor that requires no gradient; or it "
     "is a derivative, and the torch.autograd.grad that computed it was not given "
     "create_graph=True, so it cannot be differentiated again."),
    (r"Trying to backward through the graph a second time",
     "第二次在同一个计算图上反向传播，而第一次反向传播已经释放了保存的张量。第一次调用时传入 "
     "retain_graph=True。",
     "A second backward pass went through the same computation graph after the first had freed "
     "its saved tensors. Pass retain_graph=True to the first call."),
    (r"grad can be implicitly created only for (real )?scalar outputs",
     "对非标量调用了 backward()：要么先 .sum() 成一个标量，要么传入与输出形状相同的 gradient=v。",
     "backward() was called on a non-scalar: reduce it to a scalar with .sum() first, or pass a "
     "gradient=v with the output's shape."),
    (r"'NoneType' object has no attribute 'zero_'",
     "x.grad 是 None，不能调用 x.grad.zero_()。要么还没有反向传播到它（先判断 x.grad is not None，"
     "或者直接写 x.grad = None）；要么 x 已经不是叶子张量（例如 w = w - lr * w.grad 把 w 换成了"
     "一个新的非叶子张量，它不保存 .grad：在 torch.no_grad() 里原地更新 w -= lr * w.grad）。",
     "x.grad is None, so x.grad.zero_() cannot be called. Either no backward pass has reached x "
     "yet (check x.grad is not None first, or simply set x.grad = None), or x is no longer a leaf "
     "tensor (w = w - lr * w.grad, for example, makes w a new non-leaf tensor, which keeps no "
     ".grad: update it in place inside torch.no_grad(), w -= lr * w.grad)."),
    (r"a leaf Variable that requires grad (is being|has been) used in an in-place operation",
     "原地修改了一个需要梯度的叶子张量。更新参数要放在 with torch.no_grad(): 里。",
     "A leaf tensor that requires grad was changed in place. Update parameters inside "
     "with torch.no_grad():."),
    (r"modified by an inplace operation",
     "反向传播需要的一个张量在前向传播之后被原地修改了（版本计数器对不上）。改用不带下划线的运算，"
     "或者先 clone()。",
     "A tensor that the backward pass needs was changed in place after the forward pass (its "
     "version counter no longer matches). Use the out-of-place operation, or clone() first."),
    (r"One of the differentiated Tensors appears to not have been used in the graph",
     "求导的输入没有参与计算输出。检查传给 torch.autograd.grad 的 inputs。",
     "An input you differentiate with respect to was not used to compute the output. Check the "
     "inputs passed to torch.autograd.grad."),
    (r"Can't call numpy\(\) on Tensor that requires grad",
     "需要梯度的张量不能直接转成 NumPy：先 .detach()。",
     "A tensor that requires grad cannot become a NumPy array directly: call .detach() first."),
    (r"mat1 and mat2 shapes cannot be multiplied|size mismatch, got|shapes cannot be multiplied",
     "矩阵乘法两边的形状对不上：(n, k) @ (k, m) 中间的 k 必须相等。打印两个因子的 .shape，"
     "检查顺序和是否需要转置。",
     "The shapes of a matrix product do not fit: in (n, k) @ (k, m) the inner k must agree. "
     "Print both factors' .shape and check their order and whether one needs a transpose."),
    (r"must match the size of tensor b|The size of tensor a",
     "两个张量不能广播：从最后一维往前对齐，每一对维度要么相等，要么有一个是 1。打印它们的 .shape。",
     "The two tensors cannot be broadcast: aligned from the last dimension, each pair of sizes "
     "must be equal or one of them 1. Print their .shape."),
    (r"view size is not compatible with input tensor's size and stride",
     "view() 需要与步幅相容的内存布局（例如转置之后就不行）：改用 reshape()，或者先 .contiguous()。",
     "view() needs a memory layout compatible with the strides (a transposed tensor is not): use "
     "reshape(), or call .contiguous() first."),
    (r"expected (scalar type|m1 and m2 to have the same dtype)|expected .*dtype|"
     r"result type \w+ can't be cast|Found dtype \w+ but expected",
     "参与运算的张量数据类型不一致（例如 int64 和 float32，或 float64 和 float32）。用 .float() / "
     ".double() / .to(dtype) 统一数据类型。",
     "The tensors in an operation have different dtypes (int64 and float32, or float64 and "
     "float32, say). Make them agree with .float() / .double() / .to(dtype)."),
    (r"could not infer output dtype|Input dtype must be either a floating point|"
     r"only Tensors of floating point",
     "这个运算需要浮点张量，而输入是整数张量（例如 torch.tensor([1, 2]) 是 int64）。先 .float()。",
     "This operation needs a floating-point tensor, but the input holds integers "
     "(torch.tensor([1, 2]) is int64, for example). Call .float() first."),
    (r"Expected all tensors to be on the same device",
     "参与运算的张量在不同的设备上。用 .to(device) 把它们放到同一个设备上。",
     "The tensors of one operation are on different devices. Move them to one with .to(device)."),
    (r"out of (range|bounds)|index \S+ is out of bounds",
     "索引越界：下标必须在 [-n, n) 之内，n 是那一维的大小。",
     "An index is out of range: it must lie in [-n, n), where n is the size of that dimension."),
    (r"only (one|integer) element tensors can be converted to Python scalars|"
     r"must be real number, not Tensor",
     "math 模块的函数只能处理单个数：对张量请改用 torch.sin、torch.exp 这样的逐元素函数。",
     "The math module's functions take a single number: on a tensor, use elementwise functions "
     "such as torch.sin and torch.exp instead."),
    (r"Dimension out of range",
     "dim 参数超出了张量的维数：一个 k 维张量的 dim 只能取 -k 到 k-1。",
     "The dim argument is outside the tensor's dimensions: a k-d tensor takes dim from -k to k-1."),
    (r"shape '\[.*\]' is invalid for input of size",
     "reshape/view 的目标形状与元素个数不符：各维大小之积必须等于 numel()。可以用 -1 让 PyTorch 推算一维。",
     "The shape asked of reshape/view does not hold the same number of elements: the product of "
     "the sizes must equal numel(). Use -1 to let PyTorch infer one size."),
]


def explain(error: BaseException) -> tuple:
    """(zh, en) for the first pattern that matches the error, or ("", "")."""
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:  # an exception whose __str__ fails
        text = type(error).__name__
    for pattern, zh, en in [*chapter_torch_errors(), *GENERAL]:
        if re.search(pattern, text):
            return zh, en
    return "", ""
