#!/usr/bin/env python3
"""The performance peer for input optimization: the same loops in PyTorch (2 threads, fp32, CPU).

Usage: /usr/bin/python3 tools/peer_optimize.py --reps 5 [--iters 10] [--threads 2]
Prints JSON {"torch", "threads", "backend", "class_model", "dream", "invert"}, each {"iters", "ms", "iters_per_s"} (median of --reps
runs of --iters iterations), on the Caffe-style bvlc_alexnet (random He weights: speed only), a 227x227 input at batch 1:
  class_model  maximize fc8[7] − 1e-4·‖x‖² with SGD (momentum 0.9) and total variation 1e-4·TV₂: forward to fc8, backward
               to the input, update
  dream        one DeepDream octave at 227x227: roll by (5, −3), ½‖relu4‖², step 1.5·g/mean|g|, roll back, clip
  invert       Mahendran–Vedaldi on conv3 with Adam: ‖Φ(x) − Φ₀‖²/‖Φ₀‖² + α-norm (α = 6) + TV₂, forward to conv3, backward
"""
import argparse, json, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_alexnet_refs import build_caffe, init_weights  # noqa: E402
from peer_alexnet import median_ms  # noqa: E402
import peer_blas  # noqa: E402


def tv(x):
    a = x[..., :, 1:] - x[..., :, :-1]
    b = x[..., 1:, :] - x[..., :-1, :]
    return (a * a).sum() + (b * b).sum()


def trunk(net, names, layer):
    mods = list(net.mods)[: names.index(layer) + 1]
    return torch.nn.Sequential(*mods).eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = build_caffe()
    init_weights(net, 1.0)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    names = net.names
    x0 = torch.randn(1, 3, 227, 227) * 50
    to_fc8, to_relu4, to_conv3 = trunk(net, names, "fc8"), trunk(net, names, "relu4"), trunk(net, names, "conv3")
    with torch.no_grad():
        target = to_conv3(x0)

    def class_model():
        x = x0.clone().requires_grad_(True)
        opt = torch.optim.SGD([x], lr=1.0, momentum=0.9, maximize=True)
        for _ in range(a.iters):
            opt.zero_grad()
            loss = to_fc8(x)[0, 7] - 1e-4 * (x * x).sum() - 1e-4 * tv(x)
            loss.backward()
            opt.step()
        return x

    def dream():
        x = x0.clone()
        for _ in range(a.iters):
            x = torch.roll(x, (5, -3), (2, 3)).requires_grad_(True)
            e = 0.5 * (to_relu4(x) ** 2).sum()
            g, = torch.autograd.grad(e, x)
            with torch.no_grad():
                x = x + 1.5 / g.abs().mean() * g
                x = torch.roll(x, (-5, 3), (2, 3)).clamp(-123, 151)
        return x

    def invert():
        x = (torch.randn(1, 3, 227, 227) * 8).requires_grad_(True)
        opt = torch.optim.Adam([x], lr=7.65)
        n2 = (target ** 2).sum()
        for _ in range(a.iters):
            opt.zero_grad()
            loss = ((to_conv3(x) - target) ** 2).sum() / n2 + 1e-12 * (x.abs() ** 6).sum() + 1e-6 * tv(x)
            loss.backward()
            opt.step()
        return x

    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "backend": peer_blas.describe()}
    for name, fn in (("class_model", class_model), ("dream", dream), ("invert", invert)):
        ms = median_ms(fn, a.reps)
        out[name] = {"iters": a.iters, "ms": ms, "iters_per_s": a.iters / ms * 1e3}
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
