#!/usr/bin/env python3
"""One poet's ci for LoRA's measurement, encoded with the Song-ci vocabulary (no torch needed).

    scripts/poet-split.py songci.txt data 辛弃疾

Writes two datasets under data/ (train.bin, val.bin as uint16, vocab.txt = data/songci/vocab.txt):
  songci_base  every poem except the poet's held-out ones (every 10th of theirs), split 90/10 like
               `./gptkit prepare`: the base model never sees the held-out poems
  poet         train: the poet's other poems; val: the held-out ones
"""
import os
import sys

src, root, poet = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src, encoding="utf-8").read()
vocab = open(os.path.join(root, "songci", "vocab.txt"), encoding="utf-8").read()
stoi = {c: i for i, c in enumerate(vocab)}
blocks = text.split("\n\n")
mine = [i for i, b in enumerate(blocks) if b.split("\n", 1)[0].rsplit(" ", 1)[-1] == poet]
held = set(mine[::10])


def write(name, train, val):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for f, t in (("train.bin", train), ("val.bin", val)):
        with open(os.path.join(d, f), "wb") as out:
            out.write(b"".join(stoi[c].to_bytes(2, "little") for c in t))
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as out:
        out.write(vocab)
    print(f"{name}: train {len(train):,} tokens, val {len(val):,} tokens")


rest = "\n\n".join(b for i, b in enumerate(blocks) if i not in held)
split = int(len(rest) * 0.9)
write("songci_base", rest[:split], rest[split:])
write("poet", "\n\n".join(blocks[i] for i in mine if i not in held) + "\n\n",
      "\n\n".join(blocks[i] for i in sorted(held)) + "\n\n")
print(f"{poet}: {len(mine)} poems, {len(held)} held out")
