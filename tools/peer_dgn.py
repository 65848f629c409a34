#!/usr/bin/env python3
"""The performance peer for the deep generator prior: the same loops in PyTorch (2 threads, fp32, CPU).

Usage: /usr/bin/python3 tools/peer_dgn.py --reps 5 [--steps 5] [--iters 20] [--threads 2]
Prints JSON {"torch", "threads", "backend", "train", "dgn"}: "train" {"steps", "batch", "ms", "images_per_s"} and "dgn"
{"iters", "starts", "ms", "iters_per_s"}, each the median of --reps runs after one warm-up, with random weights (speed
only) on the default model's architecture (tools/train_peer.py's mini_alexnet with a stride-1 conv1, 1x40x40) as the
frozen encoder and the zoo generator for a 256-long code and 1x40x40 images (tools/make_generator_refs.py's plan):
  train  one generator training step per batch of 64 (GeneratorTraining.Evaluate + Adam): encoder forward to relu5 and
         relu6 (the code), generator forward, pixel map tanh -> [0, 1], encoder forward to relu5 on x^, mean squared
         feature + pixel losses, backward through the frozen encoder to x^ and through the generator to its parameters,
         Adam (lr 1e-3)
  dgn    DGN-AM at 5 starts (DgnMaximization): generator forward on the (5, 256) code, map, encoder forward to fc8,
         backward of the class-3 score to the code, gradient / mean|g| per start (0 stays 0), SGD step (lr 1
         cosine-decayed over the run, L2 decay 0.01), clip to [0, 3]; per-start scores come from the same forward
"""
import argparse, json, math, os, sys
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_generator_refs import SLOPE, plan  # noqa: E402
from peer_alexnet import median_ms  # noqa: E402
from train_peer import mini_alexnet  # noqa: E402
import peer_blas  # noqa: E402

BATCH, CODE, STARTS, CLASS, CODE_MAX, LR, DECAY = 64, 256, 5, 3, 3.0, 1.0, 0.01


def encoder():
    """The default model's trunks: to relu5, relu5 to relu6 (the code), relu6 to fc8."""
    net = mini_alexnet(stride1=1).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    feats = net[0]
    to_relu5 = feats[:14]
    relu5_to_code = nn.Sequential(feats[14:], net[1], net[2])
    code_to_fc8 = nn.Sequential(*list(net)[3:])
    return to_relu5, relu5_to_code, code_to_fc8


def generator():
    mods = plan(CODE, 1, 40, 40)[1]
    with torch.no_grad():
        for n, m in mods:
            if n is not None:
                nn.init.kaiming_normal_(m.weight, a=SLOPE, mode="fan_in" if isinstance(m, (nn.Linear, nn.Conv2d)) else "fan_out")
                nn.init.uniform_(m.bias, -0.1, 0.1)
    return nn.Sequential(*[m for _, m in mods])


def pixel_map(t):
    return 0.5 * (t + 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    to_relu5, relu5_to_code, code_to_fc8 = encoder()
    gen = generator().train()
    x = torch.rand(BATCH, 1, 40, 40)
    opt = torch.optim.Adam(gen.parameters(), lr=1e-3)

    def train():
        for _ in range(a.steps):
            with torch.no_grad():
                real = to_relu5(x)
                code = relu5_to_code(real)
            x_hat = pixel_map(gen(code))
            loss = ((to_relu5(x_hat) - real) ** 2).mean() + ((x_hat - x) ** 2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    start = torch.randn(STARTS, CODE).clamp(0, CODE_MAX)

    def dgn():
        h = start.clone()
        scores = []
        for it in range(a.iters):
            h.requires_grad_(True)
            logits = code_to_fc8(relu5_to_code(to_relu5(pixel_map(gen(h)))))
            g, = torch.autograd.grad(logits[:, CLASS].sum(), h)
            scores.append(logits[:, CLASS].detach())
            with torch.no_grad():
                m = g.abs().mean(1, keepdim=True)
                g = torch.where(m > 0, g / m, g)  # a start whose gradient vanished keeps it zero, as ours does
                lr = LR * (1 + math.cos(math.pi * it / a.iters)) / 2
                h = (h + lr * (g - DECAY * h)).clamp(0, CODE_MAX)
        with torch.no_grad():
            return pixel_map(gen(h)), scores

    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "backend": peer_blas.describe()}
    for p in gen.parameters():
        p.requires_grad_(True)
    ms = median_ms(train, a.reps)
    out["train"] = {"steps": a.steps, "batch": BATCH, "ms": ms, "images_per_s": a.steps * BATCH / ms * 1e3}
    for p in gen.parameters():
        p.requires_grad_(False)
    ms = median_ms(dgn, a.reps)
    out["dgn"] = {"iters": a.iters, "starts": STARTS, "ms": ms, "iters_per_s": a.iters / ms * 1e3}
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
