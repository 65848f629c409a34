#!/usr/bin/python3
"""Writes weights/imagenet_classes.txt: the 1000 ILSVRC-2012 class names, one per line, in the standard
class-index order (line k = class k, the order of the synset ids n01440764 … n15075141 sorted as the
ILSVRC devkit and Caffe's synset_words.txt give them).

Provenance: torchvision 0.14's torchvision.models._meta._IMAGENET_CATEGORIES (BSD-3-Clause), the list
torchvision's pretrained classifiers report; short human-readable names (e.g. "tench", "goldfish").
Run with the Debian Python that has torchvision: /usr/bin/python3 tools/imagenet_classes.py
"""
import os
import sys

from torchvision.models._meta import _IMAGENET_CATEGORIES


def main():
    names = list(_IMAGENET_CATEGORIES)
    if len(names) != 1000 or any("\n" in n or not n.strip() for n in names):
        sys.exit("unexpected category list")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "weights", "imagenet_classes.txt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(names) + "\n")
    print(f"wrote {len(names)} names to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
