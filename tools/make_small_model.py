#!/usr/bin/python3
"""A tiny seeded CNN in every format RawConv loads, for the hostile-model campaign (each CLI run on it takes
well under a second), with PyTorch's output for one input so the untouched files can be checked first.

Net (1×40×40 input like Fashion-MNIST canvases, so the dataset verbs run on it too; 5,538 parameters; Caffe
conventions: ceil-mode pooling, LRN across channels):
  conv1 4×1×5×5 → relu1 → norm1 LRN(5, 1e-4, 0.75, 1) → pool1 max 3/2 (36 → 18)
  conv2 8×2×3×3 pad 1 group 2 → relu2 → pool2 max 3/2 (18 → 9) → flatten
  fc3 8×648 → relu3 → fc4 10×8 → prob softmax
Weights He-normal from numpy's default_rng(SEED), biases 0.05·N(0, 1).

Written under --out with make_alexnet_refs.py's writers (the same wire formats as the AlexNet references):
  small.onnx            opset 10, named nodes, initializers also listed as graph inputs
  small.caffemodel      NetParameter, V2 `layer` with BlobShape dims
  small_v1.caffemodel   V1 `layers`, enum types, legacy num/channels/height/width
  small.prototxt        V2 deploy text with an Input layer, in-place ReLU
  small_v1.prototxt     V1 deploy text with `input:` + 4 `input_dim:`
  input.npy             two inputs (2, 1, 40, 40) float32, uniform in [0, 1]
  prob.json             {"prob": [[...], [...]]} PyTorch's softmax for input.npy (float64 from the float32 weights)
  small.h5              RawConv's HDF5 weights (written last: its presence means the folder is complete)
"""
import argparse, json, os, sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_alexnet_refs as alex  # noqa: E402

SEED = 20261207
CHANNELS, SIZE = 1, 40

SMALL = [alex.conv("conv1", 4, 5), dict(type="relu", name="relu1"), dict(type="lrn", name="norm1"),
         dict(type="maxpool", name="pool1", ceil=True),
         alex.conv("conv2", 8, 3, 1, 1, 2), dict(type="relu", name="relu2"), dict(type="maxpool", name="pool2", ceil=True),
         dict(type="flatten", name="flatten"),
         dict(type="fc", name="fc3", out=8), dict(type="relu", name="relu3"),
         dict(type="fc", name="fc4", out=10), dict(type="softmax", name="prob")]

SHAPES = {"conv1": (4, CHANNELS, 5, 5), "conv2": (8, 2, 3, 3), "fc3": (8, 8 * 9 * 9), "fc4": (10, 8)}


def weights(rng):
    """(name, weight, bias) float32 in layer order: He-normal weights, small non-zero biases."""
    res = []
    for l in SMALL:
        if l["type"] in ("conv", "fc"):
            shape = SHAPES[l["name"]]
            fan_in = int(np.prod(shape[1:]))
            w = (rng.standard_normal(shape) * (2.0 / fan_in) ** 0.5).astype(np.float32)
            b = (rng.standard_normal(shape[0]) * 0.05).astype(np.float32)
            res.append((l["name"], w, b))
    return res


def forward(prm, x):
    """PyTorch float64 forward of SMALL: the softmax probabilities."""
    p = {n: (torch.from_numpy(w).double(), torch.from_numpy(b).double()) for n, w, b in prm}
    y = torch.from_numpy(x).double()
    y = F.max_pool2d(F.local_response_norm(F.relu(F.conv2d(y, *p["conv1"])), 5, 1e-4, 0.75, 1.0), 3, 2, ceil_mode=True)
    y = F.max_pool2d(F.relu(F.conv2d(y, *p["conv2"], padding=1, groups=2)), 3, 2, ceil_mode=True)
    y = F.relu(F.linear(y.flatten(1), *p["fc3"]))
    return F.softmax(F.linear(y, *p["fc4"]), dim=1).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    prm = weights(rng)
    out = lambda name: os.path.join(args.out, name)  # noqa: E731

    alex.write_onnx(out("small.onnx"), SMALL, prm, SIZE, 10, True, channels=CHANNELS, classes=10, graph_name="small",
                    producer="rawconv-make_small_model")
    alex.write_caffemodel(out("small.caffemodel"), prm, False, layers=SMALL, name="small")
    alex.write_caffemodel(out("small_v1.caffemodel"), prm, True, layers=SMALL, name="small")
    header = 'name: "small"  # tools/make_small_model.py'
    alex.write_prototxt(out("small.prototxt"), False, layers=SMALL, header=header, dims=(1, CHANNELS, SIZE, SIZE))
    alex.write_prototxt(out("small_v1.prototxt"), True, layers=SMALL, header=header, dims=(1, CHANNELS, SIZE, SIZE))

    x = rng.uniform(0, 1, (2, CHANNELS, SIZE, SIZE)).astype(np.float32)
    np.save(out("input.npy"), x)
    with open(out("prob.json"), "w") as f:
        json.dump({"prob": [[float(v) for v in row] for row in forward(prm, x)]}, f)
    alex.write_h5(out("small.h5"), "small", SIZE, SMALL, prm, CHANNELS)
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
