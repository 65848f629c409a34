#!/usr/bin/env python3
"""Reference outputs and gradients of the zoo's image generator (Zoo.Generator, Dosovitskiy & Brox 2016 / Nguyen et
al. 2016), built here in PyTorch from the rule README states, for tests/RawConv.Tests/Graph/GeneratorTorchTests.cs.
Writes into the folder given as the only argument, per case NAME:

  NAME.h5       the seeded random generator in RawConv's weights layout (weights/README.md): architecture JSON written
                here, one group per layer with float32 "weight" and "bias" (ConvTranspose2d weights (in, out, kH, kW)
                as RawConv's convtranspose layer stores them; Linear (out, in); Conv2d (out, in, kH, kW))
  NAME.grad.h5  the same layout holding d(sum(G * y))/d(weight) and d(...)/d(bias) for every layer
  NAME.code.npy a seeded code batch (3, CODE);  NAME.output.npy the generator's output (3, C, H, W)
  NAME.upstream.npy a seeded upstream gradient G;  NAME.dcode.npy d(sum(G * y))/d(code)
  NAME.onnx     the same generator exported by torch.onnx (opset 11: Gemm, LeakyRelu, Reshape with a constant
                shape, ConvTranspose, Conv, Slice for the crop, Tanh)
and done.txt last. Weights are He-initialized for slope 0.3, biases uniform in ±0.1, all rounded to float32, then
everything is computed in float64.

Cases: code 32 -> 1x40x40 (the default model's size), code 32 -> 3x64x64 (one interior 3x3 convolution), and
code 16 -> 2x28x30 (a centre crop from 32x32).
"""
import copy
import json
import os
import sys

import h5py
import numpy as np
import torch
from torch import nn

SLOPE = 0.3


def up(side, k):
    return -(-side // (1 << k))


def plan(code, channels, height, width):
    """The layer list (RawConv JSON dicts) and the matching torch modules, by the zoo's rule."""
    k = 0
    while up(min(height, width), k + 1) >= 4:
        k += 1
    h0, w0, c0 = up(height, k), up(width, k), min(256, 16 << k)
    hidden, hidden_layers = min(max(code, 256), 4096), 2 if k >= 5 else 1
    layers, mods = [], []
    fan_in = code
    for i in range(1, hidden_layers + 2):
        out = hidden if i <= hidden_layers else c0 * h0 * w0
        layers += [dict(type="fc", name=f"fc{i}", out=out, bias=True), dict(type="leaky_relu", name=f"lrelu_fc{i}", slope=SLOPE)]
        mods += [(f"fc{i}", nn.Linear(fan_in, out)), (None, nn.LeakyReLU(SLOPE))]
        fan_in = out
    layers.append(dict(type="reshape", name="reshape", channels=c0, height=h0, width=w0))
    mods.append((None, Reshape(c0, h0, w0)))
    cin = c0
    for i in range(k):
        maps = min(c0, 16 << (k - 1 - i))
        layers += [dict(type="convtranspose", name=f"up{i + 1}", out=maps, kernelH=4, kernelW=4, strideH=2, strideW=2,
                        padH=1, padW=1, outputPadH=0, outputPadW=0, groups=1, bias=True),
                   dict(type="leaky_relu", name=f"lrelu_up{i + 1}", slope=SLOPE)]
        mods += [(f"up{i + 1}", nn.ConvTranspose2d(cin, maps, 4, 2, 1)), (None, nn.LeakyReLU(SLOPE))]
        cin = maps
        if i < k - 3:
            layers += [conv(f"conv{i + 1}", maps), dict(type="leaky_relu", name=f"lrelu_conv{i + 1}", slope=SLOPE)]
            mods += [(f"conv{i + 1}", nn.Conv2d(maps, maps, 3, 1, 1)), (None, nn.LeakyReLU(SLOPE))]
    layers.append(conv("conv_out", channels))
    mods.append(("conv_out", nn.Conv2d(cin, channels, 3, 1, 1)))
    full_h, full_w = h0 << k, w0 << k
    if (full_h, full_w) != (height, width):
        top, left = (full_h - height) // 2, (full_w - width) // 2
        layers.append(dict(type="crop", name="crop", height=height, width=width))
        mods.append((None, Crop(top, left, height, width)))
    layers.append(dict(type="tanh", name="tanh"))
    mods.append((None, nn.Tanh()))
    return layers, mods


def conv(name, out):
    return dict(type="conv", name=name, out=out, kernelH=3, kernelW=3, strideH=1, strideW=1, padH=1, padW=1, groups=1,
                dilationH=1, dilationW=1, bias=True)


class Reshape(nn.Module):
    """x.reshape(-1, C, H, W): ONNX Reshape with a constant shape (nn.Unflatten does not export at opset 11)."""

    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(-1, *self.shape)


class Crop(nn.Module):
    def __init__(self, top, left, height, width):
        super().__init__()
        self.box = (top, left, height, width)

    def forward(self, x):
        t, l, h, w = self.box
        return x[:, :, t:t + h, l:l + w]


def string_attr(obj, key, text):
    b = text.encode("utf-8")
    obj.attrs.create(key, np.bytes_(b), dtype=h5py.string_dtype("utf-8", max(len(b), 1)))


def write_h5(path, arch, tensors):
    with h5py.File(path, "w", libver="latest") as f:
        string_attr(f, "format", "rawconv-weights")
        f.attrs.create("version", np.int64(1))
        string_attr(f, "architecture", arch)
        for name, (w, b) in tensors.items():
            g = f.create_group(name)
            for part, a in (("weight", w), ("bias", b)):
                a = np.ascontiguousarray(a.astype("<f4"))
                g.create_dataset(part, data=a, chunks=a.shape, fletcher32=True)


def case(out, name, code, channels, height, width, seed):
    torch.manual_seed(seed)
    layers, mods = plan(code, channels, height, width)
    net = nn.Sequential(*[m for _, m in mods]).double()
    with torch.no_grad():
        for n, m in mods:
            if n is None:
                continue
            # He initialization for leaky units (PyTorch's default would leave the output nearly constant at the
            # last bias); small random biases so their gradients are tested too.
            nn.init.kaiming_normal_(m.weight, a=SLOPE, mode="fan_in" if isinstance(m, (nn.Linear, nn.Conv2d)) else "fan_out")
            nn.init.uniform_(m.bias, -0.1, 0.1)
            for p in m.parameters():
                p.copy_(p.float().double())  # the float32 values the .h5 holds
    arch = json.dumps(dict(name=name, input=[code], layers=layers), indent=2)
    named = [(n, m) for n, m in mods if n is not None]
    write_h5(os.path.join(out, f"{name}.h5"), arch, {n: (m.weight.detach().numpy(), m.bias.detach().numpy()) for n, m in named})
    rng = np.random.default_rng(seed)
    z = torch.tensor(rng.normal(0, 1, (3, code)).astype(np.float32).astype(np.float64), requires_grad=True)
    y = net(z)
    g = torch.tensor(rng.normal(0, 1, tuple(y.shape)).astype(np.float32).astype(np.float64))
    (y * g).sum().backward()
    write_h5(os.path.join(out, f"{name}.grad.h5"), arch, {n: (m.weight.grad.numpy(), m.bias.grad.numpy()) for n, m in named})
    for what, a in (("code", z.detach()), ("output", y.detach()), ("upstream", g), ("dcode", z.grad)):
        np.save(os.path.join(out, f"{name}.{what}.npy"), a.numpy().astype("<f4"))
    torch.onnx.export(copy.deepcopy(net).float().eval(), torch.zeros(1, code), os.path.join(out, f"{name}.onnx"),
                      opset_version=11, input_names=["code"], output_names=["image"], do_constant_folding=True)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    case(out, "g40", 32, 1, 40, 40, 1)
    case(out, "g64", 32, 3, 64, 64, 2)
    case(out, "g28x30", 16, 2, 28, 30, 3)
    with open(os.path.join(out, "done.txt"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main()
