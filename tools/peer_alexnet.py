#!/usr/bin/env python3
"""The performance peer for `rawconv classify`: Caffe-style bvlc_alexnet in PyTorch (2 threads, fp32, CPU).

Usage: /usr/bin/python3 tools/peer_alexnet.py --image /usr/share/darknet/data/dog.jpg --batch 1 16 --reps 5
Prints JSON: {"torch", "threads", "backend" (tools/peer_blas.py: oneDNN and the BLAS this process loaded),
"rows": [{"batch", "forward_ms", "end_to_end_ms"}]}. forward_ms times the network alone (no_grad, eval);
end_to_end_ms adds JPEG decode and the Caffe preprocessing of `batch` images (Pillow decode, resize shorter side
256 bilinear, centre crop 227, BGR 0–255 minus mean) and softmax + top-5.
The architecture is the one tools/make_alexnet_refs.py builds (random He-initialized weights: speed only).
"""
import argparse, json, os, statistics, sys, time
import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_alexnet_refs import build_caffe, init_weights  # noqa: E402
import peer_blas  # noqa: E402

MEAN_BGR = np.array([104.0, 117.0, 123.0], dtype=np.float32)


def preprocess(path):
    im = Image.open(path).convert("RGB")
    w, h = im.size
    s = 256 / min(w, h)
    im = im.resize((max(256, int(w * s)), max(256, int(h * s))) if w != h else (256, 256), Image.BILINEAR)
    w, h = im.size
    left, top = int(round((w - 227) / 2.0)), int(round((h - 227) / 2.0))
    a = np.asarray(im.crop((left, top, left + 227, top + 227)), dtype=np.float32)[:, :, ::-1] - MEAN_BGR
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def median_ms(fn, reps):
    fn()
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t.append((time.perf_counter() - s) * 1e3)
    return statistics.median(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="/usr/share/darknet/data/dog.jpg")
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    seq = build_caffe()
    init_weights(seq, 1.0)
    net = torch.nn.Sequential(*seq.mods).eval()
    rows = []
    with torch.no_grad():
        for n in a.batch:
            x = torch.randn(n, 3, 227, 227) * 50

            def end_to_end():
                batch = torch.stack([preprocess(a.image) for _ in range(n)])
                return torch.topk(net(batch), 5, dim=1)

            rows.append({"batch": n, "forward_ms": median_ms(lambda: net(x), a.reps),
                         "end_to_end_ms": median_ms(end_to_end, a.reps)})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "backend": peer_blas.describe(),
                      "rows": rows}))


if __name__ == "__main__":
    main()
