"""The datasets the torch engine reads, in the workbench's formats and with its pixel values
(src-main/engine/data/): the IDX pair sets (Fashion-MNIST, MNIST: pixels / 255) and CIFAR-10/100's
binary version (a folder, its parent, or the .tar.gz; ToTensor + Normalize with the reference's
constants, in float32 as the workbench computes them), the synthetic set, and CIFAR10-DVS from
the workbench's frame cache, the first `limit` samples of a split.
Training augmentation is the reference's RandomCrop(32, padding=4) + RandomHorizontalFlip on
CIFAR, the padding being zeros of the raw image, drawn from the run's generator in the
workbench's order (augment.ts: top, left, then the flip coin, sample by sample).
"""

import gzip
import os
import struct
import tarfile
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from .image_folder import ImageFolderSet
from .rng import Rng

IDX_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

CIFAR = {
    "cifar10": dict(
        label_bytes=1,
        classes=10,
        train=[f"data_batch_{i}.bin" for i in range(1, 6)],
        test=["test_batch.bin"],
        subdir="cifar-10-batches-bin",
        archive="cifar-10-binary.tar.gz",
        mean=(0.4914, 0.4822, 0.4465),
        std=(0.247, 0.243, 0.261),
    ),
    "cifar100": dict(
        label_bytes=2,
        classes=100,
        train=["train.bin"],
        test=["test.bin"],
        subdir="cifar-100-binary",
        archive="cifar-100-binary.tar.gz",
        mean=(129.3 / 255, 124.1 / 255, 112.4 / 255),
        std=(68.2 / 255, 65.4 / 255, 70.4 / 255),
    ),
}
CIFAR_PAD = 4
SUPPORTED_DATASETS = (
    "fashion-mnist",
    "mnist",
    "cifar10",
    "cifar100",
    "synthetic",
    "cifar10-dvs",
    "image-folder",
)

# synthetic.ts, as train/data-spec.ts opens it: 28x28 grey images of 10 blocky class patterns.
SYNTHETIC = dict(height=28, width=28, channels=1, classes=10, train=2048, test=512, noise=0.3, grid=4)
SPLIT_TAG = {"train": 0x51ED270B, "test": 0x2C1B3C6D}

Crop = Tuple[int, int, bool]


class ImageSet:
    """One split in memory as raw bytes [N, C, H, W], made into floats a batch at a time."""

    def __init__(
        self,
        pixels: torch.Tensor,
        labels: torch.Tensor,
        classes: int,
        normalization: Optional[Tuple[Sequence[float], Sequence[float]]],
        pad: int,
    ):
        self.pixels, self.labels, self.classes, self.pad = pixels, labels, classes, pad
        self.flip = True  # CIFAR's RandomHorizontalFlip (only drawn where pad > 0)
        self.frames = False
        c = pixels.shape[1]

        # image-set.ts pixelTables: f(f(f(v / 255) - f(mean)) / f(std)), f rounding to float32,
        # each operation in float64 as JavaScript does it.
        def f(t: torch.Tensor) -> torch.Tensor:
            return t.float().double()

        values = f(torch.arange(256, dtype=torch.float64) / 255)
        if normalization is not None:
            mean = f(torch.tensor(normalization[0], dtype=torch.float64)).view(c, 1)
            std = f(torch.tensor(normalization[1], dtype=torch.float64)).view(c, 1)
            self.table = (f(values.view(1, 256) - mean) / std).float()
        else:
            values = values.float()
            self.table = values.view(1, 256).expand(c, 256).contiguous()

    def __len__(self) -> int:
        return self.pixels.shape[0]

    @property
    def shape(self) -> Tuple[int, int, int]:
        """(height, width, channels), the workbench's InputShape."""
        _, c, h, w = self.pixels.shape
        return (h, w, c)

    @property
    def augments(self) -> bool:
        """Whether the split has a train augmentation (CIFAR's padded crop and flip)."""
        return self.pad > 0

    def draw_crops(self, rng: Rng, indices: Sequence[int]) -> List[Crop]:
        return draw_crops(rng, len(indices), self.pad, self.flip)

    def batch(self, indices: torch.Tensor, crops: Optional[List[Crop]] = None) -> torch.Tensor:
        """Float images [n, C, H, W]; with crops, each cropped from the zero-padded raw image."""
        if self.pixels.dtype == torch.float32:  # already values (the synthetic set)
            return self.pixels[indices]
        raw = self.pixels[indices].long()
        c = raw.shape[1]
        x = torch.stack([self.table[ch][raw[:, ch]] for ch in range(c)], dim=1)
        if not crops:
            return x
        p = self.pad
        n, _, h, w = x.shape
        padded = self.table[:, 0].view(1, c, 1, 1).repeat(n, 1, h + 2 * p, w + 2 * p)
        padded[:, :, p : p + h, p : p + w] = x
        out = torch.empty_like(x)
        for i, (top, left, flip) in enumerate(crops):
            patch = padded[i, :, top : top + h, left : left + w]
            out[i] = patch.flip(-1) if flip else patch
        return out


def draw_crops(rng: Rng, n: int, pad: int, flip: bool) -> List[Crop]:
    """augment.ts drawCropFlip for n samples in order: top, left, then the coin if there is a flip."""
    span = 2 * pad + 1
    out = []
    for _ in range(n):
        top = rng.int(span)
        left = rng.int(span)
        out.append((top, left, rng.next() < 0.5 if flip else False))
    return out


class FrameSet:
    """A CIFAR10-DVS split from the workbench's frame cache (dvs-cache.ts: a 64-byte header,
    int32 labels, then [T, H, W, C] float32 frames per sample), read a batch at a time. The
    reference's augmentation: RandomCrop(48, padding=4), the same crop for every frame, no flip."""

    HEADER = 64

    def __init__(self, file: str, limit: Optional[int]):
        with open(file, "rb") as fh:
            header = fh.read(self.HEADER)
        if len(header) < self.HEADER or header[:8] != b"GLIFDVS\0":
            raise ValueError(f"{file}: not a frame cache file")
        version, T, h, w, c, count = struct.unpack("<6I", header[8:32])
        if version != 1:
            raise ValueError(f"{file}: frame cache format version {version}, need 1")
        expected = self.HEADER + 4 * count + count * 4 * T * h * w * c
        if os.path.getsize(file) != expected:
            raise ValueError(f"{file}: size {os.path.getsize(file)} bytes, expected {expected} (incomplete)")
        n = count if limit is None else min(limit, count)
        labels = np.fromfile(file, dtype="<i4", count=count, offset=self.HEADER)
        self.labels = torch.from_numpy(labels[:n].astype(np.int64))
        self.data = np.memmap(
            file, dtype="<f4", mode="r", offset=self.HEADER + 4 * count, shape=(count, T, h, w, c)
        )
        self.time_steps, self._shape, self.n = T, (h, w, c), n
        self.classes, self.pad, self.flip, self.frames = 10, 4, False, True

    def __len__(self) -> int:
        return self.n

    @property
    def shape(self) -> Tuple[int, int, int]:
        return self._shape

    augments = True

    def draw_crops(self, rng: Rng, indices: Sequence[int]) -> List[Crop]:
        return draw_crops(rng, len(indices), self.pad, self.flip)

    def batch(self, indices: torch.Tensor, crops: Optional[List[Crop]] = None) -> torch.Tensor:
        """Frames [n, T, C, H, W]; with crops, each sample's frames cropped from zero padding."""
        x = torch.from_numpy(np.ascontiguousarray(self.data[indices.numpy()]))  # [n, T, H, W, C]
        if crops:
            p = self.pad
            n, T, h, w, c = x.shape
            padded = torch.zeros((n, T, h + 2 * p, w + 2 * p, c), dtype=x.dtype)
            padded[:, :, p : p + h, p : p + w] = x
            x = torch.stack(
                [padded[i, :, top : top + h, left : left + w] for i, (top, left, _) in enumerate(crops)]
            )
        return x.permute(0, 1, 4, 2, 3).contiguous()


def _open_idx(directory: str, stem: str):
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb")
    raise FileNotFoundError(f"missing file {stem}(.gz) in {directory}")


def _read_idx(directory: str, stem: str, limit: Optional[int]) -> torch.Tensor:
    with _open_idx(directory, stem) as fh:
        magic = struct.unpack(">I", fh.read(4))[0]
        if magic >> 8 != 0x08:
            raise ValueError(f"{stem}: not an unsigned-byte IDX file (magic {magic:#x})")
        dims = [struct.unpack(">I", fh.read(4))[0] for _ in range(magic & 0xFF)]
        n = dims[0] if limit is None else min(limit, dims[0])
        per = 1
        for d in dims[1:]:
            per *= d
        data = fh.read(n * per)
    if len(data) != n * per:
        raise ValueError(f"{stem}: truncated ({len(data)} of {n * per} bytes)")
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view([n] + dims[1:])


def _idx_split(directory: str, split: str, limit: Optional[int]) -> ImageSet:
    images_stem, labels_stem = IDX_STEMS[split]
    images = _read_idx(directory, images_stem, limit)
    labels = _read_idx(directory, labels_stem, limit)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return ImageSet(images.unsqueeze(1), labels.to(torch.int64), 10, None, 0)


def _cifar_files(path: str, fmt: Dict, names: List[str]) -> Dict[str, bytes]:
    """cifar.ts readCifarFiles: the archive, a folder with the .bin files, or a parent of either."""
    if os.path.isfile(path):
        return _from_archive(path, fmt, names)
    for d in (path, os.path.join(path, fmt["subdir"])):
        if all(os.path.isfile(os.path.join(d, n)) for n in names):
            out = {}
            for n in names:
                with open(os.path.join(d, n), "rb") as fh:
                    out[n] = fh.read()
            return out
    archive = os.path.join(path, fmt["archive"])
    if os.path.isfile(archive):
        return _from_archive(archive, fmt, names)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: not found (expected a CIFAR directory or .tar.gz archive)")
    raise FileNotFoundError(
        f"{path}: missing {names[0]}: looked in it, in {fmt['subdir']}/ and for {fmt['archive']}"
    )


def _from_archive(archive: str, fmt: Dict, names: List[str]) -> Dict[str, bytes]:
    out: Dict[str, bytes] = {}
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            base = os.path.basename(member.name)
            if base in names and member.isfile():
                fh = tar.extractfile(member)
                if fh is not None:
                    out[base] = fh.read()
    missing = [n for n in names if n not in out]
    if missing:
        raise FileNotFoundError(
            f"{archive}: no member {fmt['subdir']}/{missing[0]} (is it the binary version?)"
        )
    return out


def _cifar_split(variant: str, path: str, split: str, limit: Optional[int]) -> ImageSet:
    fmt = CIFAR[variant]
    files = _cifar_files(path, fmt, fmt[split])
    record = fmt["label_bytes"] + 3072
    parts = []
    for name in fmt[split]:
        data = files[name]
        if not data or len(data) % record:
            raise ValueError(f"{name}: truncated file ({len(data)} bytes, records of {record})")
        parts.append(torch.frombuffer(bytearray(data), dtype=torch.uint8).view(-1, record))
    records = torch.cat(parts)
    if limit is not None:
        records = records[:limit]
    labels = records[:, fmt["label_bytes"] - 1].to(torch.int64)
    if len(labels) and int(labels.max()) >= fmt["classes"]:
        raise ValueError(f"{variant}: label {int(labels.max())} out of range 0..{fmt['classes'] - 1}")
    pixels = records[:, fmt["label_bytes"] :].reshape(-1, 3, 32, 32).contiguous()
    return ImageSet(pixels, labels, fmt["classes"], (fmt["mean"], fmt["std"]), CIFAR_PAD)


def _synthetic_split(seed: int, split: str, limit: Optional[int]) -> ImageSet:
    """synthetic.ts: each sample from its own generator (seed, split, index), so the first
    `limit` are those of the whole set; values f32(clip(pattern + noise * normal()))."""
    o = SYNTHETIC
    h, w, c, k, grid = o["height"], o["width"], o["channels"], o["classes"], o["grid"]
    seed32 = Rng(seed).uint32()
    rng = Rng(seed)
    patterns = []
    for _ in range(k):
        cells = [0.15 if rng.next() < 0.5 else 0.85 for _ in range(grid * grid * c)]
        cells32 = torch.tensor(cells, dtype=torch.float32).double().tolist()  # a Float32Array's values
        p = [0.0] * (h * w * c)
        for r in range(h):
            for q in range(w):
                cell = (r * grid // h) * grid + (q * grid // w)
                for ch in range(c):
                    p[(r * w + q) * c + ch] = cells32[cell * c + ch]
        patterns.append(p)
    n = o[split] if limit is None else min(limit, o[split])
    values = torch.empty((n, h * w * c), dtype=torch.float64)
    labels = torch.empty(n, dtype=torch.int64)
    for i in range(n):
        mixed = (SPLIT_TAG[split] ^ ((i + 1) * 0x85EBCA6B) ^ seed32) & 0xFFFFFFFF
        r = Rng(mixed)
        label = r.int(k)
        labels[i] = label
        noise = torch.from_numpy(r.normal_block(h * w * c))
        values[i] = torch.tensor(patterns[label], dtype=torch.float64) + o["noise"] * noise
    images = values.clamp_(0, 1).float().view(n, h, w, c).permute(0, 3, 1, 2).contiguous()
    return ImageSet(images, labels, k, None, 0)


def load_split(
    dataset: str,
    directory: str,
    split: str,
    limit: Optional[int],
    seed: int = 0,
    frames: Optional[Dict[str, str]] = None,
    images: Optional[Dict] = None,
) -> "DataSplit":
    """One split of the run's dataset, its first `limit` samples (`seed`: the synthetic set's;
    `frames`: CIFAR10-DVS's frame cache files by split, which the workbench converts; `images`: an
    image folder's decoded caches by split, its class count and crop size, the workbench's too)."""
    if dataset == "image-folder":
        if not images or split not in images:
            raise ValueError(
                "an image folder trains from the workbench's image cache: the job needs "
                '"images": {"train": <file>, "test": <file>, "classes": k, "size": s} (docs/torch-engine.md)'
            )
        return ImageFolderSet(images[split], limit, images["classes"], images["size"])
    if dataset == "cifar10-dvs":
        if not frames or split not in frames:
            raise ValueError(
                "CIFAR10-DVS trains from the workbench's frame cache: the job needs "
                '"frames": {"train": <file>, "test": <file>} (docs/torch-engine.md)'
            )
        return FrameSet(frames[split], limit)
    if dataset == "synthetic":
        return _synthetic_split(seed, split, limit)
    if dataset in ("fashion-mnist", "mnist"):
        return _idx_split(directory, split, limit)
    if dataset in CIFAR:
        return _cifar_split(dataset, directory, split, limit)
    raise ValueError(
        f"the torch engine does not read '{dataset}' yet (it reads {', '.join(SUPPORTED_DATASETS)}); "
        "train it on the tfjs engine"
    )


DataSplit = Union[ImageSet, FrameSet, ImageFolderSet]
