#!/usr/bin/python3
"""Trains the nodule-candidate demo U-Net on synthetic slices (data.py) and exports model.onnx and reference/.

    OMP_NUM_THREADS=1 /usr/bin/python3 models/ct-nodule-demo/train.py

Debian python3-torch 1.13 on CPU; fixed seeds, fixed step count. Never run in CI (minutes of CPU).
Writes: model.onnx, reference/input.bin, reference/output.bin, reference/shapes.json, training_log.json.
"""

import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402

SEED = 20240501
STEPS = 1200
BATCH = 16
SIZE = 64
TRAIN_SLICES = 2400
LEARNING_RATE = 2e-3
CHANNELS = (8, 16, 32, 64)   # 3 poolings: H and W must be multiples of 8
OPSET = 17


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, channels=CHANNELS):
        super().__init__()
        c = channels
        self.enc = nn.ModuleList([block(1, c[0])] + [block(c[i - 1], c[i]) for i in range(1, len(c))])
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList([nn.ConvTranspose2d(c[i], c[i - 1], 2, stride=2) for i in range(len(c) - 1, 0, -1)])
        self.dec = nn.ModuleList([block(2 * c[i - 1], c[i - 1]) for i in range(len(c) - 1, 0, -1)])
        self.head = nn.Conv2d(c[0], 1, 1)

    def forward(self, x):
        skips = []
        for i, enc in enumerate(self.enc):
            x = enc(x if i == 0 else self.pool(x))
            skips.append(x)
        x = skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([skips.pop(), up(x)], dim=1))
        return torch.sigmoid(self.head(x))


def loss_fn(p, y):
    bce = nn.functional.binary_cross_entropy(p, y)
    inter = (p * y).sum()
    dice = 1.0 - (2.0 * inter + 1.0) / (p.sum() + y.sum() + 1.0)
    return bce + dice


def main():
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    threads = int(os.environ.get("OMP_NUM_THREADS", "1"))
    torch.set_num_threads(threads)
    start = time.time()

    rng = np.random.default_rng(SEED)
    x_train, y_train, _ = data.make_batch(rng, TRAIN_SLICES, SIZE, SIZE)
    x_val, y_val, _ = data.make_batch(np.random.default_rng(SEED + 1), 64, SIZE, SIZE)
    generated = time.time() - start
    print(f"generated {TRAIN_SLICES} training slices in {generated:.1f} s", flush=True)

    model = UNet()
    params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {params}", flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LEARNING_RATE, total_steps=STEPS, pct_start=0.1)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xv, yv = torch.from_numpy(x_val), torch.from_numpy(y_val)
    order = np.random.default_rng(SEED + 2)
    log = []
    running = []
    for step in range(1, STEPS + 1):
        model.train()
        idx = torch.from_numpy(order.integers(0, TRAIN_SLICES, BATCH))
        xb, yb = xt[idx], yt[idx]
        # Flips and 90-degree rotations: the generator is isotropic, this only adds variety.
        k = int(order.integers(4))
        xb, yb = torch.rot90(xb, k, (2, 3)), torch.rot90(yb, k, (2, 3))
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        running.append(loss.item())
        if step % 100 == 0 or step == STEPS:
            model.eval()
            with torch.no_grad():
                pv = model(xv)
                val = loss_fn(pv, yv).item()
                pb = (pv > 0.5).float()
                vdice = float(2 * (pb * yv).sum() / (pb.sum() + yv.sum() + 1e-9))
            entry = {"step": step, "trainLoss": float(np.mean(running)), "valLoss": val, "valDice": vdice,
                     "seconds": round(time.time() - start, 1)}
            running = []
            log.append(entry)
            print(json.dumps(entry), flush=True)

    trained = time.time() - start
    model.eval()
    onnx_path = os.path.join(HERE, "model.onnx")
    dummy = torch.zeros(1, 1, 64, 64)
    torch.onnx.export(model, dummy, onnx_path, opset_version=OPSET, input_names=["image"], output_names=["nodule"],
                      dynamic_axes={"image": {0: "N", 2: "H", 3: "W"}, "nodule": {0: "N", 2: "H", 3: "W"}},
                      do_constant_folding=True)

    # Reference: slices of another size than the training ones (dynamic axes), from an independent seed.
    ref_dir = os.path.join(HERE, "reference")
    os.makedirs(ref_dir, exist_ok=True)
    x_ref, _, _ = data.make_batch(np.random.default_rng(SEED + 3), 2, 64, 96)
    with torch.no_grad():
        y_ref = model(torch.from_numpy(x_ref)).numpy()
    x_ref.astype("<f4").tofile(os.path.join(ref_dir, "input.bin"))
    y_ref.astype("<f4").tofile(os.path.join(ref_dir, "output.bin"))
    with open(os.path.join(ref_dir, "shapes.json"), "w") as f:
        json.dump({"inputName": "image", "input": list(x_ref.shape), "outputName": "nodule",
                   "output": list(y_ref.shape), "dtype": "float32 little-endian, C order",
                   "producedBy": "models/ct-nodule-demo/train.py (torch eval mode)"}, f, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, "training_log.json"), "w") as f:
        json.dump({"seed": SEED, "steps": STEPS, "batch": BATCH, "size": SIZE, "trainSlices": TRAIN_SLICES,
                   "learningRate": LEARNING_RATE, "channels": list(CHANNELS), "parameters": params,
                   "threads": threads, "torch": torch.__version__, "dataSeconds": round(generated, 1),
                   "totalSeconds": round(trained, 1), "log": log}, f, indent=2)
        f.write("\n")
    print(f"trained in {trained:.1f} s; wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes)")


if __name__ == "__main__":
    main()
