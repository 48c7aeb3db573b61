package gptkit.solutions;

import gptkit.grading.RunState;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reference answer to exercises/Checkpoint.java. */
public final class Checkpoint {
    private Checkpoint() {}

    public static void save(Path file, RunState s) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(fos))) {
            writeTensors(out, s.model);
            writeTensors(out, s.expAvg);
            writeTensors(out, s.expAvgSq);
            out.writeLong(s.optimizerStep);
            out.writeInt(s.iterNum);
            out.writeDouble(s.bestValLoss);
            out.writeInt(s.config.size());
            for (Map.Entry<String, String> e : s.config.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.flush();
            fos.getFD().sync(); // on disk before the rename makes it the checkpoint
        }
        // the old checkpoint stays whole until this instant
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static RunState load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            RunState s = new RunState();
            s.model = readTensors(in);
            s.expAvg = readTensors(in);
            s.expAvgSq = readTensors(in);
            s.optimizerStep = in.readLong();
            s.iterNum = in.readInt();
            s.bestValLoss = in.readDouble();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                s.config.put(in.readUTF(), in.readUTF());
            }
            return s;
        }
    }

    private static void writeTensors(DataOutputStream out, Map<String, float[]> tensors) throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            for (float v : e.getValue()) {
                out.writeFloat(v);
            }
        }
    }

    private static Map<String, float[]> readTensors(DataInputStream in) throws IOException {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            float[] v = new float[in.readInt()];
            for (int j = 0; j < v.length; j++) {
                v[j] = in.readFloat();
            }
            tensors.put(name, v);
        }
        return tensors;
    }
}
