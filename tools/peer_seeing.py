#!/usr/bin/env python3
"""The performance peer for the seeing visualizations (projections, occlusion, top-9): the same work in PyTorch (2 threads, fp32, CPU).

Usage: /usr/bin/python3 tools/peer_seeing.py --reps 5 [--threads 2]
Prints JSON {"torch", "threads", "backend", "deconv_ms", "gradient_ms", "occlusion": {...}, "topk": {...}}:
  backend      tools/peer_blas.py's description: oneDNN, and the BLAS this process actually loaded.
  deconv_ms    Caffe-style bvlc_alexnet, batch 1: forward to conv5, keep the single strongest conv5 activation,
               project it to the input with the Zeiler-Fergus deconvnet rule at every ReLU (autograd with a custom
               ReLU backward: grad_in = relu(grad_out)); median ms of --reps.
  gradient_ms  the same with the standard ReLU gradient.
  occlusion    bvlc_alexnet on a 227x227 input, a 32x32 grey square at stride 16 (positions 0, 16, ..., 192 and
               195 flush with the edge: 14x14 = 196 occluded copies), batches of 32, forward + softmax: images/s.
  topk         the default mini-AlexNet (1x40x40, conv1 5x5 stride 1, 32-64-96-96-64, fc 256) forward to conv5 over
               the Fashion-MNIST test set (10,000 images, batches of 100) keeping the 9 strongest images per feature
               map (per-image spatial max, streaming top-k): images/s.
Weights are random (He init): these are speed figures. The architectures are those of tools/make_alexnet_refs.py and
src/RawConv.Algorithms/Training/MiniAlexNet.cs.
"""
import argparse, gzip, json, os, sys
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_alexnet_refs import build_caffe, init_weights  # noqa: E402
from peer_alexnet import median_ms  # noqa: E402
import peer_blas  # noqa: E402


class DeconvRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        return g.clamp(min=0)


class RuleRelu(nn.Module):
    def __init__(self, rule):
        super().__init__()
        self.rule = rule

    def forward(self, x):
        return DeconvRelu.apply(x) if self.rule == "deconvnet" else torch.relu(x)


def alexnet(rule):
    torch.manual_seed(0)
    seq = build_caffe()
    init_weights(seq, 1.0)
    mods = [RuleRelu(rule) if isinstance(m, nn.ReLU) else m for m in seq.mods]
    return seq.names, nn.Sequential(*mods).eval()


def project_ms(rule, reps):
    names, net = alexnet(rule)
    upto = names.index("conv5") + 1
    trunk = net[:upto]
    x0 = torch.randn(1, 3, 227, 227) * 50

    def once():
        x = x0.clone().requires_grad_(True)
        a = trunk(x)
        flat = a.detach().flatten()
        seed = torch.zeros_like(flat)
        i = int(torch.argmax(flat))
        seed[i] = flat[i]
        a.backward(seed.view_as(a))
        return x.grad

    return median_ms(once, reps)


def occlusion(reps):
    _, net = alexnet("gradient")
    x = torch.randn(1, 3, 227, 227) * 50
    pos = list(range(0, 227 - 32 + 1, 16))
    if pos[-1] != 227 - 32:
        pos.append(227 - 32)
    cells = [(y, xx) for y in pos for xx in pos]

    def once():
        out = []
        with torch.no_grad():
            for s in range(0, len(cells), 32):
                chunk = cells[s:s + 32]
                b = x.repeat(len(chunk), 1, 1, 1)
                for k, (y, xx) in enumerate(chunk):
                    b[k, :, y:y + 32, xx:xx + 32] = 0.0
                out.append(torch.softmax(net(b), 1))
        return torch.cat(out)

    ms = median_ms(once, reps)
    return {"images": len(cells), "ms": ms, "images_per_s": len(cells) / ms * 1e3}


def mini_alexnet():
    torch.manual_seed(0)
    m = nn.Sequential(
        nn.Conv2d(1, 32, 5, 1, 2), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(32, 64, 5, 1, 2, groups=2), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(64, 96, 3, 1, 1), nn.ReLU(), nn.Conv2d(96, 96, 3, 1, 1, groups=2), nn.ReLU(),
        nn.Conv2d(96, 64, 3, 1, 1, groups=2))
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight)
            nn.init.zeros_(mod.bias)
    return m.eval()


def fashion_test(canvas=40):
    with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    x = np.zeros((raw.shape[0], 1, canvas, canvas), np.float32)
    o = (canvas - 28) // 2
    x[:, 0, o:o + 28, o:o + 28] = raw / 255.0
    return torch.from_numpy(x)


def topk(reps, k=9, batch=100):
    net = mini_alexnet()
    data = fashion_test()

    def once():
        best_v = None
        best_i = None
        with torch.no_grad():
            for s in range(0, data.shape[0], batch):
                a = net(data[s:s + batch])
                m = a.flatten(2).max(2).values.t()  # (C, batch)
                idx = torch.arange(s, s + m.shape[1]).expand_as(m)
                if best_v is not None:
                    m = torch.cat([best_v, m], 1)
                    idx = torch.cat([best_i, idx], 1)
                best_v, j = torch.topk(m, min(k, m.shape[1]), dim=1)
                best_i = torch.gather(idx, 1, j)
        return best_v, best_i

    ms = median_ms(once, max(1, reps // 2))
    return {"images": int(data.shape[0]), "ms": ms, "images_per_s": data.shape[0] / ms * 1e3}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "backend": peer_blas.describe(),
                      "deconv_ms": project_ms("deconvnet", a.reps), "gradient_ms": project_ms("gradient", a.reps),
                      "occlusion": occlusion(a.reps), "topk": topk(a.reps)}))


if __name__ == "__main__":
    main()
