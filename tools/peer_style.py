#!/usr/bin/env python3
"""The performance peer for style transfer: Gatys et al.'s loop in PyTorch (2 threads, fp32, CPU).

Usage: /usr/bin/python3 tools/peer_style.py --sizes 256,512 --reps 3 [--iters 5] [--threads 2]
Prints JSON {"torch", "threads", "backend", "runs": [{"size", "iters", "ms", "s_per_iter", "evals_per_iter"}]}, each the
median of --reps runs after one warm-up, on torchvision's vgg19 features up to relu5_1 (features[:30]) with random weights
(speed only; He normal over the fan-in and zero biases, as RawConv's), a seeded random content and style image at size x size, and the neural-style objective: content loss
1/2 sum (F - P)^2 at relu4_2 (weight 5), style loss (1/L) sum (G - A)^2 / (4 N^2 M^2) with the un-normalized Gram F F^T at
relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (weight 100), TV sum (dx)^2 + (dy)^2 (weight 1e-3), one forward to relu5_1 and
one backward per evaluation; torch.optim.LBFGS(lr 1, max_iter=1, history_size 100, strong Wolfe) so one step() is one
iteration, as RawConv's Lbfgs with MaxIter 1. Each run starts from the content image with a fresh optimizer.
"""
import argparse, json, os, sys
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_alexnet import median_ms  # noqa: E402
import peer_blas  # noqa: E402

STYLE = {"relu1_1": 1, "relu2_1": 6, "relu3_1": 11, "relu4_1": 20, "relu5_1": 29}
CONTENT = ("relu4_2", 22)
W_CONTENT, W_STYLE, W_TV = 5.0, 100.0, 1e-3


def features():
    net = torchvision.models.vgg19(weights=None).features[:30].eval()
    for m in net:
        if isinstance(m, torch.nn.ReLU):
            m.inplace = False  # the taps must keep each ReLU's output
        if isinstance(m, torch.nn.Conv2d):
            # RawConv's Net.InitializeRandom: He normal over the fan-in, zero bias (torchvision's default is over the fan-out,
            # which shrinks the activations and so the gradients the loop works with).
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def taps(net, x):
    out, wanted = {}, set(STYLE.values()) | {CONTENT[1]}
    for i, m in enumerate(net):
        x = m(x)
        if i in wanted:
            out[i] = x
    return out


def gram(f):
    c = f.shape[1]
    f = f.reshape(c, -1)
    return f @ f.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="256,512")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = features()
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "backend": peer_blas.describe(), "runs": []}
    for size in (int(s) for s in a.sizes.split(",")):
        content, style = torch.rand(1, 3, size, size), torch.rand(1, 3, size, size)
        with torch.no_grad():
            p = taps(net, content)[CONTENT[1]].clone()
            s = taps(net, style)
            targets = {i: gram(s[i]) for i in STYLE.values()}
        evals = []

        def loss_of(x):
            t = taps(net, x)
            loss = W_CONTENT * 0.5 * ((t[CONTENT[1]] - p) ** 2).sum()
            for i in STYLE.values():
                f = t[i]
                n, m = f.shape[1], f.shape[2] * f.shape[3]
                loss = loss + W_STYLE * ((gram(f) - targets[i]) ** 2).sum() / (len(STYLE) * 4.0 * n * n * m * m)
            tv = ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()
            return loss + W_TV * tv

        def run():
            x = content.clone().requires_grad_(True)
            opt = torch.optim.LBFGS([x], lr=1, max_iter=1, history_size=100, line_search_fn="strong_wolfe")

            def closure():
                opt.zero_grad(set_to_none=True)
                loss = loss_of(x)
                loss.backward()
                return loss
            for _ in range(a.iters):
                opt.step(closure)
            evals.append(opt.state[opt._params[0]]["func_evals"] / a.iters)

        ms = median_ms(run, a.reps)
        out["runs"].append({"size": size, "iters": a.iters, "ms": ms, "s_per_iter": ms / a.iters / 1e3,
                            "evals_per_iter": sum(evals) / len(evals)})
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
