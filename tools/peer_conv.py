#!/usr/bin/env python3
"""The performance peer: times the Caffe-style AlexNet conv layers in PyTorch (2 threads, fp32, CPU).

Usage: /usr/bin/python3 tools/peer_conv.py --batch 16 --reps 5 [--backward]
Prints one JSON object: {"torch": version, "threads": 2, "backend": tools/peer_blas.py's description,
"layers": [{"name", "batch", "forward_ms", ...}]}
Each time is the median of --reps runs after one warm-up, in milliseconds.
"""
import argparse, json, statistics, time
import torch
import torch.nn.functional as F

import peer_blas

# (name, C, H, W, K, R, stride, pad, groups) — bvlc_alexnet deploy.prototxt
LAYERS = [
    ("conv1", 3, 227, 227, 96, 11, 4, 0, 1),
    ("conv2", 96, 27, 27, 256, 5, 1, 2, 2),
    ("conv3", 256, 13, 13, 384, 3, 1, 1, 1),
    ("conv4", 384, 13, 13, 384, 3, 1, 1, 2),
    ("conv5", 384, 13, 13, 256, 3, 1, 1, 2),
]


def median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--backward", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = []
    for n in a.batch:
        for name, c, h, w, k, r, s, p, g in LAYERS:
            x = torch.randn(n, c, h, w)
            wt = torch.randn(k, c // g, r, r) * 0.01
            b = torch.randn(k)
            row = {"name": name, "batch": n}
            with torch.no_grad():
                row["forward_ms"] = median_ms(lambda: F.conv2d(x, wt, b, s, p, 1, g), a.reps)
            if a.backward:
                y = F.conv2d(x, wt, b, s, p, 1, g)
                dy = torch.randn_like(y)
                row["backward_data_ms"] = median_ms(
                    lambda: torch.nn.grad.conv2d_input(x.shape, wt, dy, s, p, 1, g), a.reps)
                row["backward_filter_ms"] = median_ms(
                    lambda: torch.nn.grad.conv2d_weight(x, wt.shape, dy, s, p, 1, g), a.reps)
            out.append(row)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "backend": peer_blas.describe(),
                      "layers": out}))


if __name__ == "__main__":
    main()
