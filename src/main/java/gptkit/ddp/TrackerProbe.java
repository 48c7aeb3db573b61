package gptkit.ddp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Before a rank hands MASTER_ADDR:MASTER_PORT to XGBoost (which would wait ddp_timeout on a port
 * where something else listens), it checks that the XGBoost tracker answers there: the tracker
 * greets every connection with its magic number 0xff99. A tracker must then see a complete
 * request or it stops, so the probe finishes as a "print" command (a line in the launcher's log).
 */
final class TrackerProbe {
    static final int MAGIC = 0xff99;
    private static final int CMD_PRINT = 4;
    private static final int WAIT_MS = 5000;

    private TrackerProbe() {}

    static void check(String host, int port, int rank, int timeoutSec) {
        String where = host + ":" + port;
        String fix = " Check MASTER_ADDR and MASTER_PORT: node 0's `./gptkit torchrun` prints the address and port "
                + "of its tracker (torchrun sets them itself on one host).";
        long deadline = System.nanoTime() + timeoutSec * 1_000_000_000L;
        Socket s = new Socket();
        try {
            while (true) {
                try {
                    s.connect(new InetSocketAddress(host, port), WAIT_MS);
                    break;
                } catch (ConnectException e) {
                    // nothing listens yet: wait here, quietly (XGBoost's own retries print "Retrying" each time)
                    s.close();
                    if (System.nanoTime() > deadline) {
                        throw new DdpException(String.format("rank %d: could not connect to the DDP tracker at %s "
                                + "within %d s: nothing listens there.%s", rank, where, timeoutSec, fix));
                    }
                    Thread.sleep(200);
                    s = new Socket();
                }
            }
            s.setSoTimeout(WAIT_MS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] greet = new byte[4];
            try {
                in.readFully(greet);
            } catch (SocketTimeoutException e) {
                throw new DdpException(String.format("rank %d: something answers at %s but it is not a gptkit DDP "
                        + "tracker (it sent nothing within %d s; a tracker greets at once).%s", rank, where,
                        WAIT_MS / 1000, fix));
            } catch (java.io.EOFException e) {
                throw new DdpException(String.format("rank %d: something at %s accepted the connection and closed "
                        + "it: not a gptkit DDP tracker.%s", rank, where, fix));
            }
            int magic = ByteBuffer.wrap(greet).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (magic != MAGIC) {
                throw new DdpException(String.format("rank %d: something at %s answers, but not like a gptkit DDP "
                        + "tracker (it sent \"%s\").%s", rank, where, printable(greet), fix));
            }
            OutputStream out = s.getOutputStream();
            out.write(le(MAGIC));
            sendString(out, "{\"world_size\":-1,\"rank\":" + rank + ",\"task_id\":\"probe\"}");
            sendString(out, "{\"cmd\":" + CMD_PRINT + ",\"msg\":\"gptkit: rank " + rank + " reached the tracker\"}");
            out.flush();
        } catch (IOException e) {
            // a network problem of another kind: XGBoost's own connect reports it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a probe
            }
        }
    }

    private static void sendString(OutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(le(b.length));
        out.write(b);
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(x >= 32 && x < 127 ? String.valueOf((char) x) : String.format("\\x%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
