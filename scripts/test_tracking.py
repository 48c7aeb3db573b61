#!/usr/bin/env python3
"""Reads the TensorBoard event files of gptkit runs with TensorBoard's own readers and checks them
against the runs' log.csv (README "Tracking runs"; CI runs it from scripts/check-tracking-ui.sh).

    .venv-tracking/bin/python scripts/test_tracking.py OUT_DIR [OUT_DIR ...]

For each out_dir (trained with --tracking=tensorboard and --sample=N):
  * every record of every event file: both masked CRC32Cs (TensorBoard's own crc code), and the
    Event's bytes equal to protobuf's serialization of the Event they parse to (the Java encoder
    writes what TensorBoard's Python writer would);
  * each file begins with file_version "brain.Event:2" then a SessionLog START;
  * with both of TensorBoard's accumulators (the legacy one and the one its Python data provider
    uses): every scalar tag's steps and values equal log.csv's (a resumed run: its steps once each,
    the purged ones gone, as log.csv drops them), estimate_loss's train and val too; the config
    and the sample as text; the loss and lr charts as PNG images.
Exits 1 naming the run, tag and step of the first difference.
"""
import csv
import math
import os
import struct
import sys

from tensorboard.backend.event_processing import event_accumulator as legacy
from tensorboard.backend.event_processing import plugin_event_accumulator as plugin
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
from tensorboard.util import tensor_util

# tag -> log.csv column, on the training-step rows (loss present) and on the evaluation rows
STEP_TAGS = {"loss/batch": "loss", "lr": "lr", "grad_norm": "grad_norm", "speed/ms_per_iter": "ms",
             "speed/tokens_per_s": "tokens_per_s"}
EVAL_TAGS = {"loss/train": "train_loss", "loss/val": "val_loss"}


def fail(msg):
    print("test_tracking: FAIL: " + msg)
    sys.exit(1)


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", data[at + 8:at + 12])
        if crc != masked_crc32c(header):
            fail(f"{path}: length CRC of the record at byte {at}")
        body = data[at + 12:at + 12 + length]
        (crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        if len(body) != length or crc != masked_crc32c(body):
            fail(f"{path}: data CRC of the record at byte {at}")
        yield body
        at += 16 + length


def check_files(run):
    files = sorted(f for f in os.listdir(run) if f.startswith("events.out.tfevents."))
    if not files:
        fail(f"{run}: no event files")
    for name in files:
        events = []
        for body in records(os.path.join(run, name)):
            ev = event_pb2.Event.FromString(body)
            if ev.SerializeToString() != body:
                fail(f"{run}/{name}: an event's bytes differ from protobuf's encoding of it: {ev}")
            events.append(ev)
        if events[0].file_version != "brain.Event:2" or events[1].session_log.status != event_pb2.SessionLog.START:
            fail(f"{run}/{name}: does not begin with file_version brain.Event:2 and a SessionLog START")
    return files


def read_log(run):
    with open(os.path.join(run, "log.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    steps = [r for r in rows if r["loss"] != ""]
    evals = [r for r in rows if r["val_loss"] != ""]
    return steps, evals


def same(a, b):
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)  # the events hold float32, log.csv doubles


def compare(run, reader, tag, got, rows, column):
    want = [(int(r["iter"]), float(r[column])) for r in rows if r[column] not in ("", "NaN")]
    if [s for s, _ in got] != [s for s, _ in want]:
        fail(f"{run}: {reader}: {tag} has steps {[s for s, _ in got]}, log.csv {[s for s, _ in want]}")
    for (step, v), (_, w) in zip(got, want):
        if not same(v, w):
            fail(f"{run}: {reader}: {tag} at step {step} is {v}, log.csv {w}")


def check_run(run):
    files = check_files(run)
    steps, evals = read_log(run)
    every = {legacy.SCALARS: 0, legacy.IMAGES: 0, legacy.TENSORS: 0}

    acc = legacy.EventAccumulator(run, size_guidance=every)
    acc.Reload()
    tags = acc.Tags()
    for tag, column in {**STEP_TAGS, **EVAL_TAGS}.items():
        if tag not in tags["scalars"]:
            fail(f"{run}: no scalar {tag} (has {tags['scalars']})")
        rows = steps if tag in STEP_TAGS else evals
        compare(run, "EventAccumulator", tag, [(e.step, e.value) for e in acc.Scalars(tag)], rows, column)
    if "speed/mfu_percent" not in tags["scalars"]:
        fail(f"{run}: no scalar speed/mfu_percent")
    for tag in ("charts/loss", "charts/lr"):
        images = acc.Images(tag) if tag in tags["images"] else []
        if len(images) != 1 or not images[0].encoded_image_string.startswith(b"\x89PNG") or images[0].width != 720:
            fail(f"{run}: no PNG image {tag} 720 wide")
    texts = {t: acc.Tensors(t)[-1].tensor_proto.string_val[0].decode() for t in ("config", "sample")
             if t in tags["tensors"]}
    if "| learning_rate | " not in texts.get("config", ""):
        fail(f"{run}: no config text (a markdown table of the settings)")
    if not texts.get("sample", "").startswith("```\n"):
        fail(f"{run}: no sample text")

    # the reader behind TensorBoard's Python data provider: tensors, with purging on START too
    acc = plugin.EventAccumulator(run, tensor_size_guidance={plugin.TENSORS: 0})
    acc.Reload()
    for tag, column in {**STEP_TAGS, **EVAL_TAGS}.items():
        got = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors(tag)]
        compare(run, "plugin EventAccumulator", tag, got, steps if tag in STEP_TAGS else evals, column)
    print(f"test_tracking: {run}: {len(files)} event file(s), {len(steps)} logged steps and {len(evals)} "
          f"evaluations as in log.csv, config, sample and charts: ok")


def main():
    runs = sys.argv[1:]
    if not runs:
        print(__doc__)
        sys.exit(2)
    for run in runs:
        check_run(run)


if __name__ == "__main__":
    main()
