package gptkit;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the fixtures that tools/make_fixtures.py wrote from real PyTorch. */
public final class Fixtures {
    private Fixtures() {}

    public static JsonObject load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name + ": run tools/make_fixtures.py");
            }
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    public static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /**
     * Each value within n float32 ulps of the tensor's scale (its largest magnitude): a weight near zero is the
     * difference of two numbers of that scale, so its rounding error is of that scale too.
     */
    public static void assertWithinUlps(float[] expected, float[] actual, int n, String what) {
        assertEquals(expected.length, actual.length, what);
        float scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        float ulp = Math.ulp(scale);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= n * ulp, String.format(
                    "%s [%d]: %s against %s, %.1f ulps of the tensor's scale %s apart (at most %d)", what, i, actual[i],
                    expected[i], Math.abs(expected[i] - actual[i]) / ulp, scale, n));
        }
    }
}
