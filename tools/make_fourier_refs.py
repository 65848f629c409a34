#!/usr/bin/env python3
"""Reference outputs of Lucid's decorrelated Fourier image parameterization, computed with torch.fft and autograd,
for the tests of RawConv's FourierImage (tests/RawConv.Tests/Algorithms/Optimize). Writes fourier.json and done.txt
into the folder given as the only argument.

The formulation follows lucid/optvis/param/spatial.py (fft_image) and color.py (to_valid_rgb with decorrelation and
a sigmoid), written here from its description: a spectrum of shape (2, C, H, Fw) with Fw = W//2 + 1 (W//2 + 2 for odd
W), scaled per frequency by sqrt(H*W) / max(|f|, 1/max(H, W))**decay, torch.fft.irfft2 cropped to H×W, divided by 4,
multiplied by Lucid's colour-correlation square root (normalized by its largest column norm; RGB; three channels only),
sent through a sigmoid, times 255, then the model's preprocessing (x*scale - mean)/std per channel in the model's
channel order (BGR models take the RGB result reversed).

Each case lists the spectrum in RawConv's layout — a (2H, C*Fw) matrix, real parts in the first H rows, row ky holding
channel-major blocks of Fw — the image (1, C, H, W), an upstream gradient G and d(sum(G*x))/d(spectrum) in that layout.
"""
import json
import os
import sys

import numpy as np
import torch

COLOR = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float64)


def freqs(h, w):
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[: w // 2 + (2 if w % 2 == 1 else 1)]
    return np.sqrt(fx * fx + fy * fy)


def case(name, c, h, w, order, mean, std, scale, decorrelate, decay, seed):
    rng = np.random.default_rng(seed)
    f = freqs(h, w)
    fw = f.shape[1]
    spectrum = rng.normal(0, 0.5, (2, c, h, fw))
    s = torch.tensor(spectrum, dtype=torch.float64, requires_grad=True)
    sc = torch.tensor(np.sqrt(w * h) / np.maximum(f, 1.0 / max(w, h)) ** decay)
    img = torch.fft.irfft2(torch.complex(s[0], s[1]) * sc)[:, :h, :w] / 4.0  # (C, H, W)
    if c == 3:
        rgb = img.flip(0) if order == "BGR" else img
        if decorrelate:
            m = torch.tensor(COLOR / np.max(np.linalg.norm(COLOR, axis=0)))
            rgb = torch.einsum("rd,dhw->rhw", m, rgb)
        img = rgb.flip(0) if order == "BGR" else rgb
    pixels = 255.0 * torch.sigmoid(img)
    x = (pixels * scale - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    g = rng.normal(0, 1, (c, h, w))
    (x * torch.tensor(g)).sum().backward()

    def layout(a):  # (2, C, H, Fw) -> (2H, C*Fw)
        return np.transpose(a, (0, 2, 1, 3)).reshape(2 * h, c * fw)

    return dict(name=name, channels=c, height=h, width=w, channelOrder=order, mean=mean, std=std, scale=scale,
                decorrelate=decorrelate, decay=decay, spectrum=layout(spectrum).ravel().tolist(),
                image=x.detach().numpy().ravel().tolist(), upstream=g.ravel().tolist(),
                gradient=layout(s.grad.numpy()).ravel().tolist())


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = [
        case("caffe-bgr-odd", 3, 9, 7, "BGR", [104.0, 117.0, 123.0], [1.0, 1.0, 1.0], 1.0, True, 1.0, 1),
        case("torchvision-rgb-even", 3, 8, 10, "RGB", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 1 / 255, True, 1.0, 2),
        case("rgb-no-decorrelation", 3, 6, 6, "RGB", [0.5, 0.5, 0.5], [0.25, 0.25, 0.25], 1 / 255, False, 0.5, 3),
        case("grey-default-model", 1, 12, 11, "RGB", [0.0], [1.0], 1 / 255, True, 1.0, 4),
    ]
    with open(os.path.join(out, "fourier.json"), "w") as fh:
        json.dump(cases, fh)
    with open(os.path.join(out, "done.txt"), "w") as fh:
        fh.write("ok\n")


if __name__ == "__main__":
    main()
