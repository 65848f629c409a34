#!/usr/bin/python3
"""Training-throughput peer for RawConv (PyTorch, CPU, 2 threads by default).

Measures images/s of forward + backward + SGD update (momentum 0.9, weight decay 5e-4 on weights) for
  * the mini-AlexNet of src/RawConv.Algorithms/Training/MiniAlexNet.cs on 1x40x40 inputs, and
  * Caffe-style bvlc_alexnet (groups, LRN) on random 3x227x227 inputs at batch 16,
on random data with random labels (throughput only), and prints one JSON object; its "backend" (tools/peer_blas.py)
names the BLAS this process actually loaded. With --train-epochs, the first line is {"backend": ...}, then one line
per epoch.

    /usr/bin/python3 tools/train_peer.py [--threads 2] [--batch 64] [--steps 30] [--alexnet-steps 3] [--stride1 1]
"""
import argparse
import json
import time

import torch
import torch.nn as nn

import peer_blas


def mini_alexnet(c=(32, 64, 96, 96, 64), fc=256, stride1=2, canvas=40, classes=10):
    feats = nn.Sequential(
        nn.Conv2d(1, c[0], 5, stride1, 2), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(c[0], c[1], 5, 1, 2, groups=2), nn.ReLU(), nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(c[1], c[2], 3, 1, 1), nn.ReLU(),
        nn.Conv2d(c[2], c[3], 3, 1, 1, groups=2), nn.ReLU(),
        nn.Conv2d(c[3], c[4], 3, 1, 1, groups=2), nn.ReLU(),
        nn.MaxPool2d(3, 2, ceil_mode=True), nn.Flatten())
    n = feats(torch.zeros(1, 1, canvas, canvas)).shape[1]
    return nn.Sequential(feats, nn.Linear(n, fc), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(fc, fc), nn.ReLU(), nn.Dropout(0.5), nn.Linear(fc, classes))


def caffe_alexnet():
    lrn = lambda: nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0)
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, 4), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(96, 256, 5, 1, 2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, 1, 1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, 1, 1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
        nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4096, 1000))


def train_throughput(model, shape, classes, batch, steps, warmup):
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    x = torch.rand((batch,) + shape, generator=g)
    y = torch.randint(0, classes, (batch,), generator=g)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    dt = time.perf_counter() - t
    return {"batch": batch, "steps": steps, "seconds": dt, "images_per_s": batch * steps / dt,
            "parameters": sum(p.numel() for p in model.parameters())}


def load_fashion(split, canvas=40, root="/usr/share/datasets/fashion-mnist"):
    import gzip
    import numpy as np
    pre = "train" if split == "train" else "t10k"
    with gzip.open(f"{root}/{pre}-images-idx3-ubyte.gz") as f:
        img = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{root}/{pre}-labels-idx1-ubyte.gz") as f:
        lbl = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    x = np.zeros((len(img), 1, canvas, canvas), np.float32)
    o = (canvas - 28) // 2
    x[:, 0, o:o + 28, o:o + 28] = img / np.float32(255)
    return torch.from_numpy(x), torch.from_numpy(lbl)


def train_fashion(epochs, batch, lr, shift, seed):
    """The recipe of tools/TrainRun (cosine lr to 1%, shift, flip, dropout) in PyTorch: test top-1 per epoch."""
    import math
    import numpy as np
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    xtr, ytr = load_fashion("train")
    xte, yte = load_fashion("test")
    model = mini_alexnet()
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
                          lr=lr, momentum=0.9)
    steps = len(xtr) // batch
    total = epochs * steps
    loss_fn = nn.CrossEntropyLoss()
    hist = []
    it = 0
    for ep in range(epochs):
        model.train()
        perm = rng.permutation(len(xtr))
        t = time.perf_counter()
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            xb = xtr[idx].clone()
            for i in range(batch):
                dx, dy = rng.integers(-shift, shift + 1, 2)
                img = torch.roll(xb[i], (int(dy), int(dx)), (1, 2))
                if rng.integers(2):
                    img = img.flip(2)
                xb[i] = img
            for g in opt.param_groups:
                g["lr"] = lr * (0.01 + 0.99 * (1 + math.cos(math.pi * it / total)) / 2)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), ytr[idx])
            loss.backward()
            opt.step()
            it += 1
        secs = time.perf_counter() - t
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(xte[i:i + 500]).argmax(1) for i in range(0, len(xte), 500)])
        hist.append({"epoch": ep + 1, "seconds": secs, "images_per_s": steps * batch / secs,
                     "test_top1": (pred == yte).float().mean().item()})
        print(json.dumps(hist[-1]), flush=True)
    return hist


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--alexnet-batch", type=int, default=16)
    ap.add_argument("--alexnet-steps", type=int, default=3)
    ap.add_argument("--train-epochs", type=int, default=0, help="train on Fashion-MNIST instead of timing")
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--shift", type=int, default=4)
    ap.add_argument("--stride1", type=int, default=2, help="conv1 stride of the mini-AlexNet (1: the shipped default model)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.train_epochs > 0:
        print(json.dumps({"backend": peer_blas.describe()}), flush=True)
        train_fashion(a.train_epochs, a.batch, a.lr, a.shift, 1)
        return
    torch.manual_seed(1)
    out = {"torch": torch.__version__, "threads": a.threads, "backend": peer_blas.describe(),
           "mini_alexnet": train_throughput(mini_alexnet(stride1=a.stride1), (1, 40, 40), 10, a.batch, a.steps, 3)}
    if a.alexnet_steps > 0:
        out["caffe_alexnet"] = train_throughput(caffe_alexnet(), (3, 227, 227), 1000, a.alexnet_batch, a.alexnet_steps, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
