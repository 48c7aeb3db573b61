"""Where a gptkit run spends its main thread's time, from a Java Flight Recorder file.

    GPTKIT_JAVA_OPTS="-Xmx8g -XX:StartFlightRecording=filename=/tmp/bench.jfr,settings=profile" \\
        ./gptkit bench shakespeare_char_cpu --iters=100
    jfr print --json --events jdk.ExecutionSample,jdk.NativeMethodSample /tmp/bench.jfr > /tmp/bench.json
    python3 tools/jfr_summary.py /tmp/bench.json

Each sample of the main thread is charged to its innermost gptkit frame (GPT.linear,
Autograd.backward, AdamW.step, ...): time inside libtorch is charged to the gptkit method that
made the JNI call. Weights are the sampling periods of JFR's "profile" settings (Java code every
10 ms, native code every 20 ms).
"""
import collections
import json
import sys

PERIOD_MS = {"jdk.ExecutionSample": 10, "jdk.NativeMethodSample": 20}


def main(path):
    events = json.load(open(path))["recording"]["events"]
    by_frame, by_kind, total = collections.Counter(), collections.Counter(), 0
    for e in events:
        v = e["values"]
        if v.get("sampledThread", {}).get("javaName") != "main":
            continue
        w = PERIOD_MS.get(e["type"], 10)
        frames = v["stackTrace"]["frames"]
        total += w
        by_kind["in libtorch (JNI)" if e["type"] == "jdk.NativeMethodSample" else "in Java"] += w
        ours = [f for f in frames if f["method"]["type"]["name"].startswith("gptkit/")]
        f = ours[0] if ours else frames[0]
        name = f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"]
        by_frame[name if ours else f"(outside gptkit frames) {name}"] += w
    print(f"main thread: {total} ms sampled; " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in by_kind.items()))
    for name, ms in by_frame.most_common(20):
        print(f"{ms:7d} ms {100 * ms / total:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
