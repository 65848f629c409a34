#!/usr/bin/python3
"""Reference values and input gradients of the input-optimization objectives and penalties, from PyTorch autograd
in float64 on the seeded Caffe-style AlexNet of make_alexnet_refs.py (same torch.manual_seed(0) → build_caffe() →
init_weights(·, 0.1) sequence, so the weights equal its bvlc_alexnet.h5, which the tests load) and its photo.

Written under --out/bvlc_alexnet_optimize/ (float32 .npy, values in meta.json):
  input.npy                 the preprocessed photo x (1, 3, 227, 227)
  noisy.npy                 x + N(0, 10²) noise (seed 1): the point where the reconstruction term is evaluated
  direction.npy             a unit direction over conv5's 256 channels (numpy seed 2)
  grad_NAME.npy             ∂NAME/∂input for each objective NAME below (at x, or at noisy for reconstruction)
  meta.json                 each NAME's value, the class and units used

Objectives (pre-softmax score s = fc8, the layer before prob):
  class_score        s[K]
  class_probability  softmax(s)[K]
  class_logprob      log softmax(s)[K]
  unit               conv5[c, y, x]  (c = 17, the centre (6, 6))
  channel_mean       mean over positions of conv4[5]
  direction          mean over positions of Σ_t w_t conv5[t]
  energy             ½‖relu3‖²   (DeepDream)
  reconstruction     ‖conv2(noisy) − conv2(x)‖² / ‖conv2(x)‖²   (Mahendran–Vedaldi)
  alpha6             Σ|x|^6 on x/100 (scaled so the values stay moderate); alpha2 Σx² on x
  tv2, tv1_5         Σ (a² + b²)^(β/2), a = x[h, w+1] − x[h, w], b = x[h+1, w] − x[h, w], 0 past the last column/row;
                     terms with a = b = 0 have gradient 0
"""
import argparse, json, os, sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_alexnet_refs as alex  # noqa: E402

K = 7
UNIT = ("conv5", 17, 6, 6)
CHANNEL = ("conv4", 5)


def tv(x, beta):
    a = torch.zeros_like(x)
    b = torch.zeros_like(x)
    a[..., :, :-1] = x[..., :, 1:] - x[..., :, :-1]
    b[..., :-1, :] = x[..., 1:, :] - x[..., :-1, :]
    s = a * a + b * b
    if beta == 2:
        return s.sum()
    # Terms with s = 0 contribute 0 with gradient 0 (autograd's pow would give 0·∞ = NaN there).
    pos = s > 0
    return (torch.where(pos, s, torch.ones_like(s)).pow(beta / 2) * pos).sum()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = os.path.join(args.out, "bvlc_alexnet_optimize")
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(0)
    model = alex.build_caffe()
    alex.init_weights(model, 0.1)
    model = model.double().eval()
    x = alex.preprocess("caffe")
    noisy = (x + np.random.default_rng(1).normal(0, 10, x.shape)).astype(np.float32)
    d = np.random.default_rng(2).normal(size=256)
    d = (d / np.linalg.norm(d)).astype(np.float32)
    np.save(os.path.join(out, "input.npy"), x)
    np.save(os.path.join(out, "noisy.npy"), noisy)
    np.save(os.path.join(out, "direction.npy"), d)

    with torch.no_grad():
        target = model(torch.from_numpy(x.astype(np.float64)))["conv2"]
    dt = torch.from_numpy(d.astype(np.float64))

    objectives = {
        "class_score": lambda t, xi: t["fc8"][0, K],
        "class_probability": lambda t, xi: torch.softmax(t["fc8"][0], 0)[K],
        "class_logprob": lambda t, xi: torch.log_softmax(t["fc8"][0], 0)[K],
        "unit": lambda t, xi: t[UNIT[0]][0, UNIT[1], UNIT[2], UNIT[3]],
        "channel_mean": lambda t, xi: t[CHANNEL[0]][0, CHANNEL[1]].mean(),
        "direction": lambda t, xi: (t["conv5"][0] * dt[:, None, None]).sum(0).mean(),
        "energy": lambda t, xi: 0.5 * (t["relu3"] ** 2).sum(),
        "reconstruction": lambda t, xi: ((t["conv2"] - target) ** 2).sum() / (target ** 2).sum(),
        "alpha6": lambda t, xi: ((xi / 100).abs() ** 6).sum(),
        "alpha2": lambda t, xi: (xi ** 2).sum(),
        "tv2": lambda t, xi: tv(xi, 2.0),
        "tv1_5": lambda t, xi: tv(xi, 1.5),
    }
    values = {}
    for name, f in objectives.items():
        at = noisy if name == "reconstruction" else x
        xin = torch.from_numpy(at.astype(np.float64)).requires_grad_(True)
        v = f(model(xin), xin)
        v.backward()
        values[name] = float(v)
        np.save(os.path.join(out, f"grad_{name}.npy"), xin.grad.numpy().astype(np.float32))

    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"class": K, "unit": {"layer": UNIT[0], "channel": UNIT[1], "y": UNIT[2], "x": UNIT[3]},
                   "channelMean": {"layer": CHANNEL[0], "channel": CHANNEL[1]}, "values": values}, f, indent=2)
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
