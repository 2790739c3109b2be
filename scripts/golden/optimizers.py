#!/usr/bin/python3
"""Expected values for OptimizerGoldenTest: five steps of each torch.optim optimizer that Graft
has, in float64, on one small fixed problem, and torch.optim's defaults.

The problem: a two-layer classifier, h = tanh(x @ W + b), logits = h @ V, and the cost
mean(softmax_cross_entropy(logits, t)) with soft targets t, from fixed W, b and V. Each case
names the Graft optimizer, gives every one of its options (with the names the Graft language
uses; those not set in the case are torch.optim's defaults), and the params after each of the
5 steps. Momentum and Nesterov are torch.optim.SGD with momentum (dampening 0), and with
nesterov=True. Run it with Debian's python3 (apt-get install python3-torch):

    /usr/bin/python3 scripts/golden/optimizers.py > graph-ops/src/test/resources/torch/optimizers.txt

The output is blocks separated by blank lines. The first, `problem`, holds x, t and the
initial W, b and V; then one `defaults NAME` block per optimizer whose defaults Graft's
short factory takes from PyTorch, with `options`; then one `case NAME` block per case, with
`optimizer`, `options` (as `name=value`, space-separated) and `W 1`, `b 1`, `V 1`, ... `V 5`:
each param after each step. Numbers are row-major, printed with repr so that they read back
exactly.
"""
import torch

torch.set_default_dtype(torch.float64)

X = torch.tensor([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7], [-0.8, 0.9, 0.4], [0.1, -0.3, -1.6]])
T = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.25, 0.75], [0.6, 0.4]])
W0 = torch.tensor([[0.3, -0.8], [1.1, 0.05], [-0.4, 0.9]])
B0 = torch.tensor([0.2, -1.3])
V0 = torch.tensor([[0.7, 0.15], [-0.6, 0.45]])
STEPS = 5


def cost(w, b, v):
    logits = torch.tanh(X @ w + b) @ v
    return -(T * torch.log_softmax(logits, dim=-1)).sum(-1).mean()


def sgd(o):
    return lambda ps: torch.optim.SGD(ps, lr=o["lr"], weight_decay=o["weight_decay"])


def momentum(nesterov):
    return lambda o: lambda ps: torch.optim.SGD(ps, lr=o["lr"], momentum=o["mu"], weight_decay=o["weight_decay"],
                                                nesterov=nesterov)


def adam(cls):
    return lambda o: lambda ps: cls(ps, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"],
                                    weight_decay=o["weight_decay"], amsgrad=o["amsgrad"])


def rmsprop(o):
    return lambda ps: torch.optim.RMSprop(ps, lr=o["lr"], alpha=o["alpha"], eps=o["eps"], weight_decay=o["weight_decay"],
                                          momentum=o["momentum"], centered=o["centered"])


def adagrad(o):
    return lambda ps: torch.optim.Adagrad(ps, lr=o["lr"], lr_decay=o["lr_decay"], weight_decay=o["weight_decay"],
                                          initial_accumulator_value=o["initial_accumulator_value"], eps=o["eps"])


def adadelta(o):
    return lambda ps: torch.optim.Adadelta(ps, lr=o["lr"], rho=o["rho"], eps=o["eps"], weight_decay=o["weight_decay"])


def torch_defaults(cls, **required):
    """The defaults of a torch.optim class, with the Graft language's names."""
    d = dict(cls([torch.zeros(1, requires_grad=True)], **required).defaults)
    if "betas" in d:
        d["beta1"], d["beta2"] = d.pop("betas")
    return d


# per optimizer: how to build it from the options, and every option with torch's default
# (momentum and nesterov have Graft's mu = 0.9, since torch.optim.SGD's momentum is 0)
SGD_DEFAULTS = {"lr": 0.1, "weight_decay": torch_defaults(torch.optim.SGD, lr=0.1)["weight_decay"]}
OPTIMIZERS = {
    "sgd": (sgd, SGD_DEFAULTS),
    "momentum": (momentum(False), dict(SGD_DEFAULTS, mu=0.9)),
    "nesterov": (momentum(True), dict(SGD_DEFAULTS, mu=0.9)),
    "adam": (adam(torch.optim.Adam), torch_defaults(torch.optim.Adam)),
    "adamw": (adam(torch.optim.AdamW), torch_defaults(torch.optim.AdamW)),
    "rmsprop": (rmsprop, torch_defaults(torch.optim.RMSprop)),
    "adagrad": (adagrad, torch_defaults(torch.optim.Adagrad)),
    "adadelta": (adadelta, torch_defaults(torch.optim.Adadelta)),
}
KEYS = {
    "sgd": ["lr", "weight_decay"],
    "momentum": ["lr", "mu", "weight_decay"],
    "nesterov": ["lr", "mu", "weight_decay"],
    "adam": ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
    "adamw": ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
    "rmsprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
    "adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    "adadelta": ["lr", "rho", "eps", "weight_decay"],
}

# each optimizer at its defaults (with a learning rate that moves this problem), then with
# every option away from its default; a beta2 or alpha this small lets the second moment
# fall between steps, so that amsgrad's maximum and centering matter within 5 steps
CASES = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.05}),
    ("momentum", {}),
    ("momentum", {"mu": 0.5, "weight_decay": 0.05}),
    ("nesterov", {}),
    ("nesterov", {"mu": 0.5, "weight_decay": 0.05}),
    ("adam", {"lr": 0.05}),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.6, "eps": 1e-3, "weight_decay": 0.05}),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.6, "eps": 1e-3, "weight_decay": 0.05, "amsgrad": True}),
    ("adamw", {"lr": 0.05}),
    ("adamw", {"lr": 0.05, "beta1": 0.8, "beta2": 0.6, "eps": 1e-3, "weight_decay": 0.5, "amsgrad": True}),
    ("rmsprop", {}),
    ("rmsprop", {"alpha": 0.6, "eps": 1e-3, "weight_decay": 0.05}),
    ("rmsprop", {"alpha": 0.6, "eps": 1e-3, "weight_decay": 0.05, "centered": True}),
    ("rmsprop", {"alpha": 0.6, "eps": 1e-3, "weight_decay": 0.05, "momentum": 0.5}),
    ("rmsprop", {"alpha": 0.6, "eps": 1e-3, "weight_decay": 0.05, "momentum": 0.5, "centered": True}),
    ("adagrad", {"lr": 0.1}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.3, "weight_decay": 0.05, "initial_accumulator_value": 0.2, "eps": 1e-3}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.6, "eps": 1e-3, "weight_decay": 0.05}),
]


def numbers(t):
    return " ".join(repr(v) for v in t.flatten().tolist())


def show(v):
    return str(v).lower() if isinstance(v, bool) else repr(float(v))


def options(name, given):
    o = dict(OPTIMIZERS[name][1], **given)
    return o, " ".join(k + "=" + show(o[k]) for k in KEYS[name])


print("problem")
print("x " + numbers(X))
print("t " + numbers(T))
print("W " + numbers(W0))
print("b " + numbers(B0))
print("V " + numbers(V0))
print()

for name in ["adam", "adamw", "rmsprop", "adagrad", "adadelta"]:
    print("defaults " + name)
    print("options " + options(name, {})[1])
    print()

for name, given in CASES:
    o, text = options(name, given)
    params = [p.clone().requires_grad_(True) for p in (W0, B0, V0)]
    optimizer = OPTIMIZERS[name][0](o)(params)
    print(" ".join(["case " + name] + [k + "=" + show(v) for k, v in given.items()]))
    print("optimizer " + name)
    print("options " + text)
    for step in range(1, STEPS + 1):
        optimizer.zero_grad()
        cost(*params).backward()
        optimizer.step()
        for label, p in zip("WbV", params):
            print(label + " " + str(step) + " " + numbers(p.detach()))
    print()
