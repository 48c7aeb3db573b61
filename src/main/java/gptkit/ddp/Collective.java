package gptkit.ddp;

/** The one collective operation DDP needs: every rank's buffer replaced by the sum over ranks. */
public interface Collective extends AutoCloseable {
    int rank();

    int worldSize();

    /** In place: data becomes the element-wise sum of every rank's data. Blocks until all ranks call it. */
    void allReduceSum(float[] data);

    /** How many all-reduces this rank has done (one per optimizer step in the trainer). */
    long allReduceCount();

    /** Seconds spent inside all-reduce, waiting for slower ranks included. */
    double allReduceSeconds();

    @Override
    void close();
}
