#!/usr/bin/python3
"""Reference saliency maps and deconvnet projections for RawConv's tests, from PyTorch autograd with custom
ReLU backward functions, on the seeded Caffe-style AlexNet of make_alexnet_refs.py and its real photo.

The network, its weights and the preprocessed photo are make_alexnet_refs.py's own (imported from it, with
the same torch.manual_seed(0) → build_caffe() → init_weights(·, 0.1) sequence), so the weights equal its
bvlc_alexnet.h5, which the tests load. The tests key their cache by the hashes of both scripts.

ReLU backward rules (torch.autograd.Function), everything else plain autograd (LRN, max pooling routing to
the first maximum, transposed convolutions), in float64, stored as float32:
  gradient   grad_in = grad_out · [x > 0]
  deconvnet  grad_in = relu(grad_out)                 (Zeiler & Fergus 2014)
  guided     grad_in = relu(grad_out) · [x > 0]       (Springenberg et al. 2015)

Written under --out:
  bvlc_alexnet_saliency/input.npy              the preprocessed photo (1, 3, 227, 227)
  bvlc_alexnet_saliency/class_RULE.npy         d fc8[top class] / d input, seed 1 (fc8: the layer before prob)
  bvlc_alexnet_saliency/strongest_RULE.npy     the strongest activation of conv5 (first maximum in C, H, W
                                               order) kept at its value, every other conv5 activation zeroed,
                                               sent down with RULE (Deconvnet.Project's seed)
  bvlc_alexnet_saliency/wholemap_RULE.npy      all of conv5 feature map WHOLE_MAP kept at its values
  bvlc_alexnet_saliency/meta.json              top class and its fc8 score, the strongest conv5 unit
                                               (channel, y, x, value), the whole-map channel
"""
import argparse, json, os, sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_alexnet_refs as alex  # noqa: E402

RULES = ("gradient", "deconvnet", "guided")
WHOLE_MAP = 100


class RuleRelu(torch.autograd.Function):
    """ReLU whose backward follows the rule set on the module."""

    @staticmethod
    def forward(ctx, x, rule):
        ctx.save_for_backward(x)
        ctx.rule = rule
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.rule == "gradient":
            return g * (x > 0).to(g.dtype), None
        if ctx.rule == "deconvnet":
            return g.clamp(min=0), None
        return g.clamp(min=0) * (x > 0).to(g.dtype), None


class ReluModule(nn.Module):
    rule = "gradient"

    def forward(self, x):
        return RuleRelu.apply(x, ReluModule.rule)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = os.path.join(args.out, "bvlc_alexnet_saliency")
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(0)
    model = alex.build_caffe()
    alex.init_weights(model, 0.1)
    for i, m in enumerate(model.mods):
        if isinstance(m, nn.ReLU):
            model.mods[i] = ReluModule()
    model = model.double().eval()
    x = alex.preprocess("caffe")
    np.save(os.path.join(out, "input.npy"), x)

    def run(rule, layer, make_seed):
        ReluModule.rule = rule
        xin = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
        taps = model(xin)
        a = taps[layer]
        a.backward(make_seed(a.detach()))
        return xin.grad.numpy().astype(np.float32), taps

    with torch.no_grad():
        taps = model(torch.from_numpy(x.astype(np.float64)))
    fc8 = taps["fc8"][0].numpy()
    top = int(np.argmax(fc8))
    conv5 = taps["conv5"][0].numpy()
    flat = int(np.argmax(conv5))  # first maximum in (C, H, W) order
    c, y, xx = np.unravel_index(flat, conv5.shape)

    def class_seed(a):
        s = torch.zeros_like(a)
        s[0, top] = 1
        return s

    def strongest_seed(a):
        s = torch.zeros_like(a)
        s[0, c, y, xx] = a[0, c, y, xx]
        return s

    def wholemap_seed(a):
        s = torch.zeros_like(a)
        s[0, WHOLE_MAP] = a[0, WHOLE_MAP]
        return s

    for rule in RULES:
        np.save(os.path.join(out, f"class_{rule}.npy"), run(rule, "fc8", class_seed)[0])
        np.save(os.path.join(out, f"strongest_{rule}.npy"), run(rule, "conv5", strongest_seed)[0])
        np.save(os.path.join(out, f"wholemap_{rule}.npy"), run(rule, "conv5", wholemap_seed)[0])

    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"top_class": top, "top_score": float(fc8[top]),
                   "strongest": {"layer": "conv5", "channel": int(c), "y": int(y), "x": int(xx), "value": float(conv5[c, y, xx])},
                   "whole_map": {"layer": "conv5", "channel": WHOLE_MAP}}, f, indent=2)
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
