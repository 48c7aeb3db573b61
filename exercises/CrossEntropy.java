import gptkit.exercises.NotImplementedYet;

/**
 * Exercise cross_entropy (notebook 02), graded by gptkit.grading.CrossEntropyExerciseTest:
 * {@code ./mvnw test -Dexercise=cross_entropy}
 *
 * <p>Why: the GPT's loss. For each position the model gives one score (logit) per vocabulary
 * entry; softmax turns them into probabilities, and the loss is minus the log-probability of the
 * right next token, averaged. A model that guesses uniformly over V tokens scores ln(V).
 *
 * <p>What: nanoGPT's {@code F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
 * ignore_index=-1)} on a (N, V) array of logits and N targets:
 * <pre>
 *   loss_n = log(sum_j exp(logits[n][j])) - logits[n][targets[n]]
 *   loss   = mean of loss_n over the n whose target is not -1
 * </pre>
 * exp(1000) is Infinity in floating point: compute log(sum exp) with each row's max taken out
 * first. Also its gradient with respect to the logits (what backward() gives):
 * (softmax(logits[n]) - one_hot(targets[n])) / count, and zero rows for ignored targets.
 * Write it yourself; gptkit.model.GPT computes the same loss on DJL tensors.
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    public static final long IGNORE_INDEX = -1;

    public static double crossEntropy(float[][] logits, long[] targets) {
        // TODO
        throw new NotImplementedYet();
    }

    public static float[][] crossEntropyGrad(float[][] logits, long[] targets) {
        // TODO
        throw new NotImplementedYet();
    }
}
