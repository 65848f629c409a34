"""What the PyTorch peer computes with, read from the running process, for the bench tables' header lines.

Convolutions go through oneDNN when PyTorch has it; Linear layers and some backward passes call sgemm_ from
whatever BLAS the dynamic loader found for libblas.so.3. On Debian that is an alternative (or LD_LIBRARY_PATH
can change it), and the reference (Netlib) BLAS is several times slower than OpenBLAS, so what is reported is
the library that actually serves libtorch_cpu's sgemm_ in this process (dladdr), not what the build claims.
OpenBLAS keeps its own thread pool, which torch.set_num_threads does not size: its count is reported too.
"""
import ctypes
import os

import torch

_VARIANT = {0: "serial", 1: "pthread", 2: "OpenMP"}


class _DlInfo(ctypes.Structure):
    _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p), ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]


def _sgemm_provider():
    """Real path of the library whose sgemm_ libtorch_cpu calls, or None when no mapped libtorch_cpu exports one."""
    with open("/proc/self/maps") as f:
        mapped = {line.split()[-1] for line in f if "/" in line}
    torch_cpu = next((p for p in sorted(mapped) if os.path.basename(p).startswith("libtorch_cpu")), None)
    if torch_cpu is None:
        return None
    try:
        addr = ctypes.cast(ctypes.CDLL(torch_cpu).sgemm_, ctypes.c_void_p).value
    except AttributeError:
        return None
    libc = ctypes.CDLL(None)
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    info = _DlInfo()
    if not libc.dladdr(addr, ctypes.byref(info)) or not info.fname:
        return None
    return os.path.realpath(info.fname.decode())


def _openblas(path):
    """'OpenBLAS 0.3.21 pthread, its own 2 threads' when the library at path is (or forwards to) OpenBLAS, else None."""
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_config.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode().split()
    except (OSError, AttributeError):
        return None
    variant = _VARIANT.get(lib.openblas_get_parallel(), "?")
    n = lib.openblas_get_num_threads()
    return f"{' '.join(config[:2])} {variant}, its own {n} thread{'s' if n != 1 else ''}"


def _blas(path):
    if path is None:
        return "MKL, linked into PyTorch" if torch.backends.mkl.is_available() else "unknown (no sgemm_ found)"
    name = os.path.basename(path)
    if name.startswith("libmkl"):
        return f"MKL at {path}"
    if "blis" in name:
        return f"BLIS at {path}"
    return _openblas(path) or f"reference BLAS at {path}"


def describe():
    """{"torch", "threads", "conv", "blas", "blas_library", "summary"}; summary is the bench header's text."""
    conv = "oneDNN" if torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled else "ATen, no oneDNN"
    path = _sgemm_provider()
    blas = _blas(path)
    threads = torch.get_num_threads()
    return {"torch": torch.__version__, "threads": threads, "conv": conv, "blas": blas, "blas_library": path,
            "summary": f"PyTorch {torch.__version__}, {threads} thread{'s' if threads != 1 else ''} ({conv} for conv; BLAS: {blas})"}


if __name__ == "__main__":
    import json
    print(json.dumps(describe()))
