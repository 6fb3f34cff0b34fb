"""An image folder's split from the workbench's image cache (src-main/engine/data/image-folder/):
each image decoded once and resized to a shorter side of 8/7 of the crop size, 8-bit RGB. Crops as
resized-crop.ts makes them, number for number: RandomResizedCrop(scale 0.2-1, ratio 3/4-4/3) and a
horizontal flip for training, a centre crop for testing, bilinear with half-pixel centres, then
ImageNet's mean and std. Values are computed in float64 in the same order as the workbench's
JavaScript and stored as float32, so both engines see the same batches.
"""

import math
import os
import struct
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from .rng import Rng

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
SCALE = (0.2, 1.0)
LOG_RATIO = (math.log(3 / 4), math.log(4 / 3))

# top, left, height, width, flip
Box = Tuple[int, int, int, int, bool]


def js_round(x: float) -> int:
    """JavaScript's Math.round: halves go up (Python's round goes to even)."""
    return math.floor(x + 0.5)


def draw_resized_crop(height: int, width: int, rng: Rng) -> Box:
    """resized-crop.ts drawResizedCrop: torchvision's ten tries, then a central crop; the flip last."""
    area = height * width
    for _ in range(10):
        target = area * (SCALE[0] + (SCALE[1] - SCALE[0]) * rng.next())
        ratio = math.exp(LOG_RATIO[0] + (LOG_RATIO[1] - LOG_RATIO[0]) * rng.next())
        w = js_round(math.sqrt(target * ratio))
        h = js_round(math.sqrt(target / ratio))
        if 0 < w <= width and 0 < h <= height:
            top = rng.int(height - h + 1)
            left = rng.int(width - w + 1)
            return (top, left, h, w, rng.next() < 0.5)
    w, h = width, height
    if width / height < 3 / 4:
        h = js_round(w / (3 / 4))
    elif width / height > 4 / 3:
        w = js_round(h * (4 / 3))
    return ((height - h) // 2, (width - w) // 2, h, w, rng.next() < 0.5)


def center_crop(height: int, width: int, size: int) -> Box:
    return (js_round((height - size) / 2), js_round((width - size) / 2), size, size, False)


def write_crop(src: np.ndarray, box: Box, size: int) -> np.ndarray:
    """resized-crop.ts writeCrop: [3, size, size] float32 from an HWC uint8 image."""
    top, left, bh, bw, flip = box
    out_y = np.arange(size, dtype=np.float64)
    fy = np.minimum(np.maximum((out_y + 0.5) * (bh / size) - 0.5, 0.0), bh - 1)
    y0 = np.floor(fy).astype(np.int64)
    y1 = np.minimum(y0 + 1, bh - 1)
    wy = fy - y0
    xs = (size - 1 - out_y) if flip else out_y
    fx = np.minimum(np.maximum((xs + 0.5) * (bw / size) - 0.5, 0.0), bw - 1)
    x0 = np.floor(fx).astype(np.int64)
    x1 = np.minimum(x0 + 1, bw - 1)
    wx = fx - x0
    img = src.astype(np.float64)
    r0, r1 = top + y0, top + y1
    c0, c1 = left + x0, left + x1
    s00 = img[r0][:, c0]
    s01 = img[r0][:, c1]
    s10 = img[r1][:, c0]
    s11 = img[r1][:, c1]
    wxb = wx[None, :, None]
    upper = s00 + (s01 - s00) * wxb
    lower = s10 + (s11 - s10) * wxb
    v = upper + (lower - upper) * wy[:, None, None]
    mean = np.array(MEAN, dtype=np.float64)
    std = np.array(STD, dtype=np.float64)
    return ((v / 255 - mean) / std).astype(np.float32).transpose(2, 0, 1)


class ImageFolderSet:
    """One split of an image folder from the workbench's cache file (image-cache.ts: a 64-byte
    header, uint32 label/height/width records, then each image's HWC bytes)."""

    HEADER = 64
    augments = True
    frames = False

    def __init__(self, file: str, limit: Optional[int], classes: int, size: int):
        with open(file, "rb") as fh:
            header = fh.read(self.HEADER)
        if len(header) < self.HEADER or header[:8] != b"GLIFIMG\0":
            raise ValueError(f"{file}: not an image cache file")
        version, _short_side, count = struct.unpack("<3I", header[8:20])
        if version != 1:
            raise ValueError(f"{file}: image cache format version {version}, need 1")
        records = np.fromfile(file, dtype="<u4", count=3 * count, offset=self.HEADER).reshape(count, 3)
        self.heights = records[:, 1].astype(np.int64)
        self.widths = records[:, 2].astype(np.int64)
        sizes = self.heights * self.widths * 3
        starts = self.HEADER + 12 * count + np.concatenate([[0], np.cumsum(sizes)[:-1]])
        expected = int(self.HEADER + 12 * count + sizes.sum())
        if os.path.getsize(file) != expected:
            raise ValueError(f"{file}: size {os.path.getsize(file)} bytes, expected {expected} (incomplete)")
        self.starts = starts.astype(np.int64)
        self.data = np.memmap(file, dtype=np.uint8, mode="r")
        self.n = count if limit is None else min(limit, count)
        self.labels = torch.from_numpy(records[: self.n, 0].astype(np.int64))
        self.classes, self.size, self.pad = classes, size, 0

    def __len__(self) -> int:
        return self.n

    @property
    def shape(self) -> Tuple[int, int, int]:
        return (self.size, self.size, 3)

    def image(self, i: int) -> np.ndarray:
        h, w = int(self.heights[i]), int(self.widths[i])
        start = int(self.starts[i])
        return np.asarray(self.data[start : start + h * w * 3]).reshape(h, w, 3)

    def draw_crops(self, rng: Rng, indices: Sequence[int]) -> List[Box]:
        """Each sample's crop and flip, in sample order, as the workbench draws them."""
        return [draw_resized_crop(int(self.heights[i]), int(self.widths[i]), rng) for i in indices]

    def batch(self, indices: torch.Tensor, crops: Optional[List[Box]] = None) -> torch.Tensor:
        """Float images [n, 3, size, size]: the given crops, or centre crops (testing)."""
        out = []
        for k, i in enumerate(indices.tolist()):
            box = crops[k] if crops else center_crop(int(self.heights[i]), int(self.widths[i]), self.size)
            out.append(write_crop(self.image(i), box, self.size))
        return torch.from_numpy(np.stack(out))
