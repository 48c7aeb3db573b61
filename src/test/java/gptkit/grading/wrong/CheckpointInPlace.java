package gptkit.grading.wrong;

import gptkit.grading.RunState;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wrong: complete, but written straight into ckpt.bin: a crash mid-write destroys the old one. */
public final class CheckpointInPlace {
    public static void save(Path file, RunState s) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeLong(s.optimizerStep);
            out.writeInt(s.iterNum);
            out.writeDouble(s.bestValLoss);
            out.writeInt(s.config.size());
            for (Map.Entry<String, String> e : s.config.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            for (Map<String, float[]> m : java.util.List.of(s.expAvg, s.expAvgSq, s.model)) {
                out.writeInt(m.size());
                for (Map.Entry<String, float[]> e : m.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().length);
                    for (float v : e.getValue()) {
                        out.writeFloat(v);
                    }
                }
            }
        }
    }

    public static RunState load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            RunState s = new RunState();
            s.optimizerStep = in.readLong();
            s.iterNum = in.readInt();
            s.bestValLoss = in.readDouble();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                s.config.put(in.readUTF(), in.readUTF());
            }
            s.expAvg = tensors(in);
            s.expAvgSq = tensors(in);
            s.model = tensors(in);
            return s;
        }
    }

    private static Map<String, float[]> tensors(DataInputStream in) throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            float[] v = new float[in.readInt()];
            for (int j = 0; j < v.length; j++) {
                v[j] = in.readFloat();
            }
            m.put(name, v);
        }
        return m;
    }
}
