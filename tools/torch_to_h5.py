#!/usr/bin/python3
"""Convert a torchvision AlexNet state dict to a RawConv weights file (layout: weights/README.md).

    /usr/bin/python3 tools/torch_to_h5.py --state-dict alexnet.pth --out alexnet.h5
    /usr/bin/python3 tools/torch_to_h5.py --random-seed 0 --out alexnet.h5 --dump-dir refs/

Layer names follow src/RawConv.Graph/Zoo.cs TorchvisionAlexNet (conv1..conv5, fc6..fc8); the file carries
the matching architecture JSON, torchvision's preprocessing and the ImageNet class names. The file is
written in the HDF5 1.10 layout (libver='latest': checksummed metadata), with fixed-length string
attributes and each dataset in one Fletcher-32-checked chunk, and renamed into place when complete.

--dump-dir also writes, for tests: every state-dict tensor as <layer>.weight.npy / <layer>.bias.npy,
a seeded random input input.npy (1, 3, 224, 224) and PyTorch's eval-mode logits for it, logits.npy.
Needs torch, torchvision, h5py and numpy (Debian: python3-torch, python3-torchvision, python3-h5py).
"""
import argparse
import json
import os

import h5py
import numpy as np
import torch
import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES

# RawConv layer name -> torchvision AlexNet module.
LAYERS = [("conv1", "features.0"), ("conv2", "features.3"), ("conv3", "features.6"), ("conv4", "features.8"),
          ("conv5", "features.10"), ("fc6", "classifier.1"), ("fc7", "classifier.4"), ("fc8", "classifier.6")]


def conv(name, out, k, stride=1, pad=0):
    return {"type": "conv", "name": name, "out": out, "kernelH": k, "kernelW": k, "strideH": stride, "strideW": stride,
            "padH": pad, "padW": pad, "groups": 1, "dilationH": 1, "dilationW": 1, "bias": True}


def pool(name):
    return {"type": "maxpool", "name": name, "kernelH": 3, "kernelW": 3, "strideH": 2, "strideW": 2,
            "padH": 0, "padW": 0, "ceilMode": False}


def architecture():
    """Zoo.TorchvisionAlexNet() as NetSpec JSON (the adaptive 6x6 average pool is the identity at 224)."""
    relu = lambda n: {"type": "relu", "name": n}
    layers = [conv("conv1", 64, 11, 4, 2), relu("relu1"), pool("pool1"),
              conv("conv2", 192, 5, pad=2), relu("relu2"), pool("pool2"),
              conv("conv3", 384, 3, pad=1), relu("relu3"),
              conv("conv4", 256, 3, pad=1), relu("relu4"),
              conv("conv5", 256, 3, pad=1), relu("relu5"), pool("pool5"),
              {"type": "flatten", "name": "flatten"},
              {"type": "dropout", "name": "drop6", "p": 0.5},
              {"type": "fc", "name": "fc6", "out": 4096, "bias": True}, relu("relu6"),
              {"type": "dropout", "name": "drop7", "p": 0.5},
              {"type": "fc", "name": "fc7", "out": 4096, "bias": True}, relu("relu7"),
              {"type": "fc", "name": "fc8", "out": 1000, "bias": True},
              {"type": "softmax", "name": "prob"}]
    return {"name": "torchvision_alexnet", "inputChannels": 3, "inputHeight": 224, "inputWidth": 224, "layers": layers}


PREPROCESS = {"channelOrder": "RGB", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
              "scale": 1 / 255, "height": 224, "width": 224}


def string_attr(obj, name, text):
    """A scalar fixed-length UTF-8 string (stored in the checksummed object header, unlike h5py's default vlen)."""
    b = text.encode("utf-8")
    obj.attrs.create(name, np.bytes_(b), dtype=h5py.string_dtype("utf-8", max(len(b), 1)))


def write(model, path):
    sd = model.state_dict()
    tmp = f"{path}.tmp-{os.getpid()}"
    with h5py.File(tmp, "w", libver="latest") as f:
        string_attr(f, "format", "rawconv-weights")
        f.attrs.create("version", np.int64(1))
        string_attr(f, "architecture", json.dumps(architecture(), indent=2))
        string_attr(f, "classes", json.dumps(list(_IMAGENET_CATEGORIES)))
        string_attr(f, "preprocess", json.dumps(PREPROCESS))
        for name, module in LAYERS:
            g = f.create_group(name)
            for part in ("weight", "bias"):
                a = np.ascontiguousarray(sd[f"{module}.{part}"].detach().cpu().numpy().astype("<f4"))
                g.create_dataset(part, data=a, chunks=a.shape, fletcher32=True)
    os.replace(tmp, path)


def dump(model, seed, out):
    os.makedirs(out, exist_ok=True)
    sd = model.state_dict()
    for name, module in LAYERS:
        for part in ("weight", "bias"):
            np.save(os.path.join(out, f"{name}.{part}.npy"), sd[f"{module}.{part}"].detach().cpu().numpy().astype("<f4"))
    x = np.random.RandomState(seed + 1).uniform(-2, 2, (1, 3, 224, 224)).astype("<f4")
    with torch.no_grad():
        logits = model.eval()(torch.from_numpy(x)).numpy().astype("<f4")
    np.save(os.path.join(out, "input.npy"), x)
    np.save(os.path.join(out, "logits.npy"), logits)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--state-dict", help="a torchvision AlexNet state dict (.pth)")
    src.add_argument("--random-seed", type=int, help="torchvision.models.alexnet() with weights drawn from this seed")
    ap.add_argument("--out", required=True, help="the RawConv weights file to write")
    ap.add_argument("--dump-dir", help="also write the state dict, an input and its logits as .npy here")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.state_dict:
        seed = 0
        sd = torch.load(args.state_dict, map_location="cpu")
        if isinstance(sd, torch.nn.Module):
            sd = sd.state_dict()
        model = torchvision.models.alexnet()
        model.load_state_dict(sd)
    else:
        seed = args.random_seed
        torch.manual_seed(seed)
        model = torchvision.models.alexnet()
    model.eval()
    write(model, args.out)
    if args.dump_dir:
        dump(model, seed, args.dump_dir)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
