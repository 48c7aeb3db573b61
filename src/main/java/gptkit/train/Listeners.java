package gptkit.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer's listeners, told in the order they were added (the console first, then the log, then
 * trackers and a notebook's chart), and the run's {@link Speed}, whose numbers each event carries.
 */
final class Listeners {
    private final List<TrainingListener> all = new ArrayList<>();
    private Speed speed;

    void add(TrainingListener l) {
        all.add(l);
    }

    void remove(TrainingListener l) {
        all.remove(l);
    }

    void started(int iter, int maxIters, Speed runSpeed) {
        speed = runSpeed;
        all.forEach(l -> l.started(iter, maxIters));
    }

    /** An iteration's update is done: its time, then each listener. */
    void iteration(int iter, int maxIters) {
        speed.stepped();
        for (TrainingListener l : List.copyOf(all)) {
            l.iteration(iter, maxIters, speed.msPerIter(), speed.tokensPerSec());
        }
    }

    /** A logged iteration: the MFU estimate, then each listener. */
    void logged(int iter, double lr, float loss, float gradNorm) {
        speed.logged();
        all.forEach(l -> l.logged(iter, lr, loss, gradNorm, speed.msPerIter(), speed.tokensPerSec(), speed.mfu()));
    }

    void evaluated(int iter, double lr, double trainLoss, double valLoss) {
        all.forEach(l -> l.evaluated(iter, lr, trainLoss, valLoss));
    }

    void text(int iter, String tag, String text) {
        all.forEach(l -> l.text(iter, tag, text));
    }

    void save() throws IOException {
        for (TrainingListener l : all) {
            l.save();
        }
    }

    void finished() {
        List.copyOf(all).forEach(TrainingListener::finished);
    }
}
