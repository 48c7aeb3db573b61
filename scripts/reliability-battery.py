#!/usr/bin/env python3
"""The hostile battery of the README's "Reliability" section, run through the real command line.

    python3 scripts/reliability-battery.py          # from the repository root; needs Java 17+

Each case runs ./gptkit the way a careless or hostile user would and checks three things:
the exit code is 2, stderr's last line is one clear "error: ..." line that contains the words
the case expects (the file, key or variable, and what to do), and no checkpoint, log or data
file that existed before the case changed (sha256 before and after). A small model of Tiny
Shakespeare is trained first (GPTKIT_DATA or ../shared/data holds the corpus). Prints one line
per case and a summary: cases tried, clear messages, stack traces, silently accepted, weak messages,
data lost. Exit status 1 if any case fails. --short (CI) leaves out the cases that run torchrun groups.
"""
import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GPTKIT = str(REPO / "gptkit")
WORK = Path(tempfile.mkdtemp(prefix="gptkit-battery-"))
DATA = WORK / "data"
OUT = WORK / "out"
TINY = ["--n_layer=1", "--n_head=2", "--n_embd=16", "--block_size=16", "--batch_size=4", "--eval_iters=2",
        "--eval_interval=5", "--log_interval=5", "--progress=false", "--charts=false", f"--data_dir={DATA}"]


def tiny(*extra):
    """TINY with extra --key=value flags replacing its own: a key given twice is an error (issue 21)."""
    keys = {a.split("=", 1)[0] for a in extra}
    return [a for a in TINY if a.split("=", 1)[0] not in keys] + list(extra)


ENV = dict(os.environ, GPTKIT_DATA=os.environ.get("GPTKIT_DATA", str(REPO.parent / "shared" / "data")))


def run(args, env=None, timeout=300):
    return subprocess.run([GPTKIT, *args], capture_output=True, text=True, env=env or ENV, timeout=timeout)


def digest(paths):
    out = {}
    for root in paths:
        for p in sorted(Path(root).rglob("*")) if Path(root).is_dir() else [Path(root)]:
            if p.is_file() and p.name != ".lock":
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


results = []
kinds = {}  # case name -> "trace" (a Java stack trace), "silent" (exit 0 where an error was due) or "weak"
SHORT = "--short" in sys.argv  # CI's form: leaves out the cases that run torchrun groups


def verdict(name, r):
    """What a case that is not clear is: a trace, silently accepted, or a weak message."""
    if "\tat " in r.stderr or "Exception in thread" in r.stderr:
        kinds[name] = "trace"
    elif r.returncode == 0:
        kinds[name] = "silent"
    else:
        kinds[name] = "weak"


def case(name, args, expect, env=None, watch=(OUT, DATA), setup=None, teardown=None):
    if setup:
        setup()
    before = digest(watch)
    try:
        r = run(args, env)
    finally:
        if teardown:
            teardown()
    after = digest(watch)
    lost = [p for p in before if before[p] != after.get(p)]
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    clear = r.returncode == 2 and last.startswith("error: ") and all(w in last for w in expect)
    if not clear:
        verdict(name, r)
    results.append((name, clear, lost))
    print(f"{'ok  ' if clear and not lost else 'FAIL'} {name}: exit {r.returncode}; {last[:300]}"
          + (f"; CHANGED: {lost}" if lost else ""))


def check(name, ok, detail, lost=()):
    """A case that is not an error line (a success that must say what it did, Ctrl-C's 130, a torchrun group): ok is the verdict."""
    results.append((name, ok, list(lost)))
    print(f"{'ok  ' if ok and not lost else 'FAIL'} {name}: {detail[:300]}" + (f"; CHANGED: {list(lost)}" if lost else ""))


def checkpoint_with(json_bytes):
    """A checkpoint whose CRC is right but whose header says json_bytes (length field as given)."""
    body = b"GPTKIT-CKPT-1\n" + struct.pack(">i", len(json_bytes)) + json_bytes
    return body + struct.pack(">q", zlib.crc32(body))

# ---- issue 21: a run's out_dir and files ----------------------------------------------------------

def default_sigint():
    """In the child: Ctrl-C's SIGINT back to its default. A battery started in the background (`&`, nohup, some CI
    runners) ignores SIGINT, its children inherit that, and a JVM started so never installs a handler for it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def train_until(out_dir, line_start, extra=()):
    """A long run into out_dir, returned once it printed a line starting with line_start."""
    p = subprocess.Popen([GPTKIT, "train", "shakespeare_char_cpu", *tiny(f"--out_dir={out_dir}", "--max_iters=100000",
                          "--always_save_checkpoint=true", *extra)], env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    for line in p.stdout:
        if line.startswith(line_start):
            return p
    p.wait()
    raise SystemExit(f"the run into {out_dir} ended before '{line_start}': {p.stderr.read()[-1000:]}")


def run_out_dir_cases():
    def train(*extra):  # the tiny model with these settings (a key given twice is an error)
        return ["train", "shakespeare_char_cpu", *tiny(*extra)]

    # a fresh run into a good run's folder: refused before it writes anything (log, charts, .lock)
    case("a fresh run of another config into a run's folder", train(f"--out_dir={OUT}", "--max_iters=200"),
         ["holds another run", "--init_from=resume", "overwrite_out_dir"])
    case("a fresh run that would fail early (--learning_rate=1e309) into a run's folder",
         train(f"--out_dir={OUT}", "--learning_rate=1e309"), [])
    # LoRA adapters on OUT's model, then lora-merge over another model's ckpt.bin
    lora, model = WORK / "lora", WORK / "another-model"
    r = run(train(f"--init_from={OUT}", "--lora_rank=2", f"--out_dir={lora}", "--max_iters=5",
             "--always_save_checkpoint=true"))
    model.mkdir()
    shutil.copy(OUT / "ckpt.bin", model / "ckpt.bin")
    case("lora-merge over another model's ckpt.bin", ["lora-merge", f"--base={OUT}", f"--lora={lora}",
                                                       f"--out_dir={model}"], ["ckpt.bin", "--overwrite"],
         watch=(OUT, model, lora))
    r = run(train(f"--init_from={OUT}", "--lora_rank=2", f"--out_dir={WORK / 'lora-none'}", "--max_iters=3"))
    check("a LoRA run that saved no lora.bin says so", r.returncode == 0 and "warning: no lora.bin written" in r.stderr
          and not (WORK / "lora-none" / "lora.bin").exists(), f"exit {r.returncode}; {r.stderr.strip()[-300:]}")
    # temp checkpoints of killed saves: removed at the next start, once the lock is held
    stale = WORK / "stale"
    shutil.copytree(OUT, stale)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (stale / f"ckpt.bin.{dead.pid}.9f3a.tmp").write_bytes(b"\0" * 4096)
    r = run(train(f"--out_dir={stale}", "--init_from=resume", "--max_iters=12"))
    check("temp checkpoints of killed runs are removed", r.returncode == 0 and "removed 1 temp file" in r.stdout
          and not list(stale.glob("*.tmp")), f"exit {r.returncode}; " + " ".join(
              l for l in r.stdout.splitlines() if l.startswith("removed")))
    # Ctrl-C: stops at a step boundary, says where to resume, exit 130; twice: at once; the checkpoint intact
    for presses in (1, 2):
        d = WORK / f"ctrl-c-{presses}"
        p = train_until(d, "step 10:", ["--eval_interval=5"])
        for _ in range(presses):
            p.send_signal(signal.SIGINT)
            time.sleep(0.05)
        err = p.communicate(timeout=120)[1]
        s = run(["sample", f"--out_dir={d}", "--num_samples=1", "--max_new_tokens=5"])
        said = [l for l in err.splitlines() if l.startswith("stopped")]
        ok = p.returncode == 130 and s.returncode == 0 and bool(said)  # the checkpoint samples: it is whole
        if presses == 1:  # a second press may stop before the lock is released: the next run takes it over
            ok = ok and "--init_from=resume" in said[0] and not (d / ".lock").exists()
        check(f"Ctrl-C pressed {presses}x during training", ok,
              f"exit {p.returncode}, sample {s.returncode}; {said[-1] if said else err[-300:]}")
    # a full disk: a 2 MB tmpfs (root only)
    fs = WORK / "tmpfs"
    fs.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(fs)], capture_output=True).returncode:
        print("skip a full disk: mounting a tmpfs is not permitted here")
        return
    try:
        full = fs / "run"
        shutil.copytree(OUT, full)
        free = shutil.disk_usage(fs).free - (full / "ckpt.bin").stat().st_size // 2
        with open(fs / "filler", "wb") as f:
            f.write(b"\0" * free)
        case("a full disk at a checkpoint", train(f"--out_dir={full}", "--init_from=resume", "--max_iters=20",
                                             "--always_save_checkpoint=true", "--charts=true"),
             ["is full", "ckpt.bin", "needs about", "free:", "--out_dir", "untouched"], watch=(full,))
        case("a full disk at the log and charts", train(f"--out_dir={full}", "--init_from=resume",
                                                   "--max_iters=20", "--charts=true"),
             ["is full", "log.csv and the charts", "free:", "--out_dir", "untouched"], watch=(full / "ckpt.bin",))
        whole = all(p.read_bytes()[:4] == b"\x89PNG" and p.read_bytes()[-8:-4] == b"IEND" for p in full.glob("*.png"))
        check("no half-written chart or temp file on a full disk", whole and not list(full.glob("*.tmp")),
              str(sorted(p.name for p in full.iterdir())))
        try:
            with open(fs / "filler2", "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass
        case("a fresh run on a full disk", train(f"--out_dir={fs / 'fresh'}"), ["is full", "free: 0 bytes"],
             watch=(full,))
        check("no 0-byte .lock left on a full disk", not (fs / "fresh" / ".lock").exists(), str(fs / "fresh"))
    finally:
        subprocess.run(["umount", str(fs)])


# ---- issue 21: input validation, every command and key (run_validation_cases) ----
def run_validation_cases():
    """Out-of-range, non-finite, overflowing and repeated settings and flags: one error line each, before
    anything is trained, allocated or written. Uses the Shakespeare model in OUT trained by main()."""
    train = ["train", "shakespeare_char_cpu"]
    case("learning_rate=1e309 (Infinity)", [*train, *tiny(f"--out_dir={OUT}", "--learning_rate=1e309")],
         ["learning_rate", "finite"])
    case("beta1=1.0", [*train, *tiny(f"--out_dir={OUT}", "--beta1=1.0")], ["beta1", "[0, 1)"])
    case("dropout=NaN", [*train, *tiny(f"--out_dir={OUT}", "--dropout=NaN")], ["dropout"])
    case("block_size=100000 (a causal mask of 10^10 entries)",
         [*train, *tiny(f"--out_dir={WORK / 'v1'}", "--block_size=100000")],
         ["block_size=100000", "causal mask", "At most block_size="])
    case("n_embd=65536 n_head=1 (mlp.c_fc overflows an int)",
         [*train, *tiny(f"--out_dir={WORK / 'v1'}", "--n_embd=65536", "--n_head=1")],
         ["n_embd=65536", "At most n_embd="])
    case("a key given twice on the command line",
         [*train, *tiny(f"--out_dir={WORK / 'v1'}"), "--max_iters=5", "--max_iters=10"],
         ["--max_iters=5", "--max_iters=10"])
    conf = WORK / "twice.conf"
    conf.write_text("base = shakespeare_char_cpu\nmax_iters = 5\nmax_iters = 10\n")
    case("a key set twice in a config file", ["train", str(conf), *tiny(f"--out_dir={WORK / 'v1'}")],
         ["twice.conf", "max_iters", "line 2", "line 3"])
    for flag in ["--max_new_tokens=-5", "--max_new_tokens=2147483647", "--num_samples=-1", "--temperature=NaN",
                 "--temperature=1e-320", "--top_k=-1", "--num_samples=abc"]:
        case(f"sample {flag}", ["sample", f"--out_dir={OUT}", "--start=ROMEO:", flag], [flag.split("=")[0]])
    case("sample --start with a character the model never saw", ["sample", f"--out_dir={OUT}", "--start=\u6625"],
         ["--start", "U+6625"])
    case("form-match on a Shakespeare model", ["form-match", str(OUT)], ["shakespeare_char", "songci_poems_cpu"])
    case("form-match --num_samples=0", ["form-match", str(OUT), "--num_samples=0"], ["--num_samples=0"])
    empty = WORK / "empty.txt"
    empty.write_text("")
    case("prepare an empty file", ["prepare", f"--text={empty}", f"--data_dir={DATA}"], ["empty.txt", "empty"])
    case("bench --iters=0", ["bench", "shakespeare_char_cpu", "--iters=0"], ["--iters=0"])
    case("bench --max_iters (bench sets it)", ["bench", "shakespeare_char_cpu", "--max_iters=9"], ["--max_iters=9"])
    # bench trains into a temp folder of its own and removes it: a second bench right after the first must run
    bench = ["bench", "shakespeare_char_cpu", "--iters=2", "--warmup=0",
             *[a for a in TINY if a.split("=", 1)[0] not in ("--eval_iters", "--eval_interval", "--log_interval")]]
    before = set(Path(tempfile.gettempdir()).glob("gptkit-bench-*"))
    rs = [run(bench) for _ in range(2)]
    left = sorted(set(Path(tempfile.gettempdir()).glob("gptkit-bench-*")) - before)
    check("bench twice in a row", all(r.returncode == 0 and "ms/iter" in r.stdout for r in rs) and not left,
          f"exits {[r.returncode for r in rs]}; folders left: {left}; {rs[-1].stderr.strip()[-200:]}")
    case("torchrun --nproc-per-node=0", ["torchrun", "--nproc-per-node=0", *train], ["--nproc-per-node=0"])

    # train --sample=N on a text without a newline: trains, and says before training where the sample starts
    flat = WORK / "flat.txt"
    flat.write_text("abc de " * 800)
    run(["prepare", f"--text={flat}", f"--data_dir={DATA}"])
    r = run([*train, *tiny(f"--out_dir={WORK / 'flat-out'}", "--dataset=flat", "--max_iters=2"), "--sample=20"])
    note = r.stdout.find("--sample: the vocabulary of flat has no newline")
    ok = r.returncode == 0 and 0 <= note < r.stdout.find("done:")
    check("train --sample on a text without a newline", ok, f"exit {r.returncode}; "
          f"{r.stdout[note:note + 120].strip() if note >= 0 else r.stderr.strip()[-300:]}")


# ---- issue 21: data, its identity and its scale (run_data_cases) ----
def run_data_cases():
    data = WORK / "data21"
    out = WORK / "out21"

    def prepare(seed):  # the same characters every time, another text for each seed
        words = ["to be ", "or not ", "that is ", "the question\n"]
        text = WORK / "same-name.txt"
        text.write_text("".join(words[(i * seed + i // 7) % 4] for i in range(3000)))
        run(["prepare", f"--text={text}", f"--data_dir={data}"])

    prepare(1)
    run(["train", "shakespeare_char_cpu", *tiny(f"--data_dir={data}"), "--dataset=same-name", f"--out_dir={out}"])
    case("a resume on a dataset prepared again from another text",
         ["train", "shakespeare_char_cpu", *tiny(f"--data_dir={data}"), "--dataset=same-name", f"--out_dir={out}",
          "--init_from=resume", "--max_iters=20"], ["same-name", "prepared again", "--allow_other_data=true"],
         watch=(out,), setup=lambda: prepare(3))
    case("a fresh run over the model of another text of the same name",
         ["train", "shakespeare_char_cpu", *tiny(f"--data_dir={data}"), "--dataset=same-name", f"--out_dir={out}"],
         [str(out), "--overwrite_out_dir=true"], watch=(out,))

    crlf = WORK / "windows.txt"
    crlf.write_bytes(b"ROMEO: hello\r\nJULIET: hi\r\n" * 300)
    r = run(["prepare", f"--text={crlf}", f"--data_dir={data}"])
    vocab = (data / "windows" / "vocab.txt").read_bytes() if r.returncode == 0 else b"\r"
    check("CRLF text: \\r\\n becomes \\n, said in one line", r.returncode == 0 and b"\r" not in vocab
               and "converted 600 CRLF line endings to LF" in r.stdout, r.stdout.strip().splitlines()[0][:120])

    big = WORK / "big.txt"  # 110 MB in a 64 MB heap: prepare streams
    with open(big, "wb") as f:
        chunk = (b"First Citizen:\nBefore we proceed any further, hear me speak.\n" * 1000)
        for _ in range(110 * 2 ** 20 // len(chunk)):
            f.write(chunk)
    t0 = time.time()
    r = run(["prepare", f"--text={big}", f"--data_dir={data}"], env=dict(ENV, GPTKIT_JAVA_OPTS="-Xmx64m"))
    check("a 110 MB text prepared in a 64 MB heap", r.returncode == 0,
               f"exit {r.returncode} in {time.time() - t0:.1f} s; {(r.stderr.strip().splitlines() or [''])[-1][:200]}")
    big.unlink()
    shutil.rmtree(data / "big", ignore_errors=True)

    # a token file over 2 GiB (sparse: 2.2 GiB on paper), its meta.json's size and mtime as prepare records them
    d = data / "huge"
    d.mkdir(parents=True)
    tokens = 1_181_116_006
    with open(d / "train.bin", "wb") as f:
        f.truncate(2 * tokens)
        for b in (2 ** 29, 2 ** 30, tokens - 64):
            f.seek(2 * (b - 32))
            f.write(struct.pack("<64H", *[1 + i % 3 for i in range(64)]))
    (d / "val.bin").write_bytes(struct.pack("<1000H", *[i % 4 for i in range(1000)]))
    (d / "vocab.txt").write_text("abcd")
    import json
    meta = {"format": 1, "source": "(sparse)", "vocab_size": 4, "train_tokens": tokens, "val_tokens": 1000,
            "vocab_sha256": hashlib.sha256(b"abcd").hexdigest(), "train_sha256": "0" * 64,
            "val_sha256": hashlib.sha256((d / "val.bin").read_bytes()).hexdigest(),
            "train_mtime_ns": os.stat(d / "train.bin").st_mtime_ns}
    (d / "meta.json").write_text(json.dumps(meta))
    t0 = time.time()
    r = run(["train", "shakespeare_char_cpu", *tiny(f"--data_dir={data}"), "--dataset=huge",
             f"--out_dir={WORK / 'out-huge'}", "--max_iters=5"])
    check("a 2.2 GiB token file trains", r.returncode == 0,
               f"exit {r.returncode} in {time.time() - t0:.1f} s; {(r.stderr.strip().splitlines() or [''])[-1][:200]}")
    shutil.rmtree(d, ignore_errors=True)
# ---- end of issue 21's data cases ----


def main():
    print(f"battery in {WORK}")
    r = run(["train", "shakespeare_char_cpu", *TINY, f"--out_dir={OUT}", "--max_iters=10", "--always_save_checkpoint=true"])
    if r.returncode != 0:
        print(r.stdout[-2000:], r.stderr[-2000:])
        sys.exit("the first training failed")
    text = WORK / "roman.txt"
    text.write_bytes("Le caf\u00e9 est ferm\u00e9.\n".encode("latin-1") * 50)
    binary = WORK / "model.bin"
    binary.write_bytes(bytes(range(256)) * 10)

    case("a path given as dataset", ["prepare", str(text)], ["--text="])
    case("text that is not UTF-8", ["prepare", f"--text={text}", f"--data_dir={DATA}"], ["roman.txt", "iconv"])
    case("a binary file as text", ["prepare", f"--text={binary}", f"--data_dir={DATA}"], ["model.bin", "not a text"])
    case("resume with an architecture override",
         ["train", "shakespeare_char_cpu", *tiny(f"--out_dir={OUT}", "--init_from=resume", "--n_embd=32")],
         ["n_embd", "contradicts"])
    case("max_iters below 0", ["train", "shakespeare_char_cpu", *TINY, f"--out_dir={OUT}", "--max_iters=-1"],
         ["max_iters"])
    case("unknown key PRESETS", ["train", "shakespeare_char_cpu", "--PRESETS=x"], ["PRESETS"])
    case("unwritable out_dir", ["train", "shakespeare_char_cpu", *TINY, "--out_dir=/proc/x"], ["/proc/x"])
    case("empty out_dir", ["train", "shakespeare_char_cpu", *TINY, "--out_dir="], ["out_dir"])
    other = WORK / "other-data"

    def prepare_other():
        other.mkdir(parents=True, exist_ok=True)
        (other / "tiny.txt").write_text("abcdefgh " * 400)
        run(["prepare", f"--text={other / 'tiny.txt'}", f"--data_dir={other}"])

    case("a fresh run over another dataset's checkpoint",
         ["train", "shakespeare_char_cpu", *tiny(f"--data_dir={other}", "--dataset=tiny", f"--out_dir={OUT}")],
         ["tiny", "overwrite_out_dir"], setup=prepare_other)
    bad = WORK / "bad-ckpt"
    bad.mkdir()
    for label, header, words in [("negative header length", None, ["header length"]),
                                 ("missing model_args", b'{"iter_num":1,"tensors":[]}', ["model_args"]),
                                 ("a shape larger than the data", b'{"model_args":{"block_size":2,"vocab_size":3,'
                                  b'"n_layer":1,"n_head":1,"n_embd":2,"dropout":0.0,"bias":false},'
                                  b'"tensors":[{"name":"transformer.wte.weight","shape":[3,2000000000]}]}',
                                  ["transformer.wte.weight"])]:
        raw = checkpoint_with(header) if header else \
            b"GPTKIT-CKPT-1\n" + struct.pack(">i", -5) + b"{}" + struct.pack(">q", zlib.crc32(
                b"GPTKIT-CKPT-1\n" + struct.pack(">i", -5) + b"{}"))
        (bad / "ckpt.bin").write_bytes(raw)
        case(f"checkpoint with a valid CRC but {label}", ["sample", f"--out_dir={bad}", "--max_new_tokens=5"],
             ["ckpt.bin"] + words, watch=(bad, OUT, DATA))
    env = dict(ENV, WORLD_SIZE="abc")
    case("WORLD_SIZE=abc", ["train", "shakespeare_char_cpu", *TINY, f"--out_dir={OUT}"], ["WORLD_SIZE=abc"], env=env)
    env = dict(ENV, WORLD_SIZE="1", RANK="1")
    case("WORLD_SIZE=1 RANK=1", ["train", "shakespeare_char_cpu", *TINY, f"--out_dir={OUT}"], ["RANK=1"], env=env)
    empty = WORK / "no-corpus"
    empty.mkdir()
    env = dict(ENV, GPTKIT_DATA=str(empty))
    case("offline first run, no corpus", ["prepare", "shakespeare_char", f"--data_dir={WORK / 'fresh'}"],
         ["GPTKIT_DATA", "input.txt"], env=env)
    vocab = DATA / "shakespeare_char" / "vocab.txt"
    saved = vocab.read_bytes()

    def break_vocab():
        vocab.write_bytes(saved[: len(saved) // 2])

    def mend_vocab():
        vocab.write_bytes(saved)

    case("token files out of step with vocab.txt",
         ["train", "shakespeare_char_cpu", *TINY, f"--out_dir={WORK / 'out2'}"], ["vocab.txt", "prepare"],
         watch=(OUT,), setup=break_vocab, teardown=mend_vocab)
    run_data_cases()

    # two trainers on one out_dir: the second refuses, naming the first one's PID
    first = subprocess.Popen([GPTKIT, "train", "shakespeare_char_cpu", *tiny(f"--out_dir={WORK / 'busy'}",
                              "--max_iters=100000", "--eval_interval=100000")], env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not (WORK / "busy" / ".lock").exists() and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(1)
        case("a second trainer on a busy out_dir",
             ["train", "shakespeare_char_cpu", *TINY, f"--out_dir={WORK / 'busy'}"], ["in use", "PID"])
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)

    if not SHORT:
        run_torchrun_cases()
    run_validation_cases()
    run_out_dir_cases()

    clear = sum(1 for _, ok, _ in results if ok)
    lost = sum(len(lost) for _, _, lost in results)
    count = {k: sum(1 for v in kinds.values() if v == k) for k in ("trace", "silent", "weak")}
    print(f"cases tried: {len(results)}, clear messages: {clear}, stack traces: {count['trace']}, silently accepted: "
          f"{count['silent']}, weak messages: {count['weak']}, data lost: {lost}")
    shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(0 if clear == len(results) and lost == 0 else 1)


def run_torchrun_cases():
    # torchrun: SIGTERM to the launcher ends every worker within 5 s
    launcher = subprocess.Popen([GPTKIT, "torchrun", "--nproc-per-node=2", "train", "shakespeare_char_cpu",
                                 *tiny(f"--out_dir={WORK / 'ddp'}", "--max_iters=100000", "--eval_interval=100000",
                                       "--gradient_accumulation_steps=2")], env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    workers = []
    deadline = time.time() + 120
    while len(workers) < 2 and time.time() < deadline:
        time.sleep(1)
        out = subprocess.run(["pgrep", "-f", f"out_dir={WORK / 'ddp'}"], capture_output=True, text=True).stdout
        workers = [int(p) for p in out.split() if int(p) != launcher.pid]
    launcher.send_signal(signal.SIGTERM)
    t0 = time.time()
    while time.time() - t0 < 10 and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()]
    gone = time.time() - t0
    check("torchrun's workers end with their launcher", not alive and gone < 5 and len(workers) >= 2,
          f"{len(workers)} workers, all gone {gone:.1f} s after SIGTERM" + (f"; still alive: {alive}" if alive else ""))
    for w in alive:
        os.kill(w, signal.SIGKILL)
    launcher.wait(timeout=30)

    # a rank stopped with SIGSTOP: named within --silence seconds, the group stopped, rank 0's lock removed
    d = WORK / "ddp-stop"
    launcher = subprocess.Popen([GPTKIT, "torchrun", "--nproc-per-node=2", "--silence=5", "train", "shakespeare_char_cpu",
                                 *tiny(f"--out_dir={d}", "--max_iters=100000", "--eval_interval=100000",
                                       "--gradient_accumulation_steps=2")], env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while not (d / ".lock").exists() and time.time() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    if not (d / ".lock").exists():
        launcher.kill()
        check("a rank stopped with SIGSTOP", False, f"the group never started: {launcher.communicate()[0][-300:]}")
        return
    rank0 = int((d / ".lock").read_text().strip())
    os.kill(rank0, signal.SIGSTOP)
    t0 = time.time()
    try:
        out = launcher.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        launcher.kill()
        out = launcher.communicate()[0]
    took = time.time() - t0
    said = [l for l in out.splitlines() if l.startswith("error: torchrun: rank 0")]
    ok = launcher.returncode == 3 and bool(said) and "stopped (SIGSTOP" in said[0] and not (d / ".lock").exists()
    check("a rank stopped with SIGSTOP", ok, f"exit {launcher.returncode} after {took:.0f} s; "
          f"{said[0][:200] if said else out[-300:]}")


if __name__ == "__main__":
    main()
