#!/usr/bin/python3
"""Reference values and input gradients of Gatys et al.'s content, style and total-variation losses, from PyTorch
autograd in float64 on a seeded random VGG-19 (torchvision's vgg19().features, ReLUs made out-of-place so every tap
survives) truncated after relu5_1, at a 32×32 input.

Weights: torch.manual_seed(0); He normal (std sqrt(2/fan_in)) and biases 0.05·N(0,1), so activations stay O(1) and
bias loading is checked. Inputs: N(0,1) images (the network's input space); content and style from numpy seed 1,
the evaluated image x from seed 196, chosen (best of seeds 1–399) so that x is at least 3e-5 away from every kink:
every ReLU input differs from 0, and every max-pool window whose maximum is positive has its top two values apart, by
more than 3e-5 (the script checks it). float32 forward errors are ~1e-5 here, and one ReLU or switch flipping
under them changes the input gradient by percent over its whole receptive field (at 64×64, with ~1e-6 margins, it
does), so a point nearer a kink would test rounding, not the losses.

Written under --out/vgg19_style/ (float32 .npy, values in meta.json):
  w_LAYER.npy, b_LAYER.npy  every convolution's weight (K, C, 3, 3) and bias, named as the zoo's vgg19 (conv1_1 …)
  x.npy, content.npy, style.npy   (1, 3, 32, 32) the evaluated image, the content and the style images
  grad_content.npy          ∂contentLoss/∂x, contentLoss = ½ Σ (F − P)² at relu4_2
  grad_style.npy            ∂styleLoss/∂x, styleLoss = Σ_ℓ (1/L)·Σ (G − A)²/(4 N² M²), G = F·Fᵀ un-normalized,
                            ℓ in relu1_1, relu2_1, relu3_1, relu4_1, relu5_1
  grad_tv.npy               ∂tvLoss/∂x, tvLoss = Σ (x[i, j+1] − x[i, j])² + (x[i+1, j] − x[i, j])²
  meta.json                 {"values": {"content", "style", "tv"}, "contentLayer", "styleLayers", "last"}
"""
import argparse, json, os

import numpy as np
import torch
import torch.nn as nn
import torchvision

SIZE = 32
X_SEED = 196
MARGIN = 3e-5
CONTENT = "relu4_2"
STYLE = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
LAST = "relu5_1"


def named_features():
    """(name, module) of vgg19().features in neural-style's names, ReLUs out of place."""
    feats = torchvision.models.vgg19().features
    res, block, i = [], 1, 1
    for m in feats:
        if isinstance(m, nn.Conv2d):
            res.append((f"conv{block}_{i}", m))
        elif isinstance(m, nn.ReLU):
            res.append((f"relu{block}_{i}", nn.ReLU()))
            i += 1
        else:
            res.append((f"pool{block}", m))
            block, i = block + 1, 1
    return res


def gram(f):
    n, c, h, w = f.shape
    x = f.reshape(n, c, h * w)
    return x @ x.transpose(1, 2)


def run(layers, x, upto):
    taps = {}
    for name, m in layers:
        x = m(x)
        taps[name] = x
        if name == upto:
            break
    return taps


def kink_margin(layers, x):
    """Smallest |ReLU input| and smallest top-two gap of a max-pool window with a positive maximum, up to LAST."""
    relu, pool = float("inf"), float("inf")
    with torch.no_grad():
        for name, m in layers:
            if name.startswith("relu"):
                relu = min(relu, float(x.abs().min()))
            elif name.startswith("pool"):
                n, c, h, w = x.shape
                v = x.reshape(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
                s, _ = v.sort(-1)
                gap = (s[..., 3] - s[..., 2])[s[..., 3] > 0]
                if gap.numel():
                    pool = min(pool, float(gap.min()))
            x = m(x)
            if name == LAST:
                break
    return min(relu, pool)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = os.path.join(args.out, "vgg19_style")
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(0)
    layers = named_features()
    with torch.no_grad():
        for name, m in layers:
            if isinstance(m, nn.Conv2d):
                m.weight.normal_(0.0, (2.0 / m.weight[0].numel()) ** 0.5)
                m.bias.normal_(0.0, 0.05)
                np.save(os.path.join(out, f"w_{name}.npy"), m.weight.numpy().astype(np.float32))
                np.save(os.path.join(out, f"b_{name}.npy"), m.bias.numpy().astype(np.float32))
                m.double()

    rng = np.random.default_rng(1)
    imgs = {k: rng.standard_normal((1, 3, SIZE, SIZE)).astype(np.float32) for k in ("content", "style")}
    imgs["x"] = np.random.default_rng(X_SEED).standard_normal((1, 3, SIZE, SIZE)).astype(np.float32)
    for k, v in imgs.items():
        np.save(os.path.join(out, f"{k}.npy"), v)
    t = {k: torch.from_numpy(v.astype(np.float64)) for k, v in imgs.items()}
    margin = kink_margin(layers, t["x"])
    if margin < MARGIN:
        raise SystemExit(f"x is {margin:.3g} from a kink, nearer than {MARGIN}; pick another X_SEED")

    with torch.no_grad():
        p = run(layers, t["content"], LAST)[CONTENT]
        a = {l: gram(f) for l, f in run(layers, t["style"], LAST).items() if l in STYLE}

    def content_loss(x):
        return 0.5 * ((run(layers, x, LAST)[CONTENT] - p) ** 2).sum()

    def style_loss(x):
        taps = run(layers, x, LAST)
        total = 0
        for l in STYLE:
            f = taps[l]
            n, m = f.shape[1], f.shape[2] * f.shape[3]
            total = total + ((gram(f) - a[l]) ** 2).sum() / (4.0 * n * n * m * m) / len(STYLE)
        return total

    def tv_loss(x):
        return ((x[..., :, 1:] - x[..., :, :-1]) ** 2).sum() + ((x[..., 1:, :] - x[..., :-1, :]) ** 2).sum()

    values = {}
    for name, fn in (("content", content_loss), ("style", style_loss), ("tv", tv_loss)):
        x = t["x"].clone().requires_grad_(True)
        v = fn(x)
        v.backward()
        values[name] = float(v)
        np.save(os.path.join(out, f"grad_{name}.npy"), x.grad.numpy().astype(np.float32))

    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"values": values, "contentLayer": CONTENT, "styleLayers": STYLE, "last": LAST, "size": SIZE,
                   "kinkMargin": margin}, f, indent=2)


if __name__ == "__main__":
    main()
