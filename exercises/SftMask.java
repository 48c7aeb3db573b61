import gptkit.data.LossMask;
import gptkit.exercises.NotImplementedYet;

/**
 * Exercise sft_mask (notebook 10): the loss-mask part of supervised fine-tuning, one example (a
 * prompt and its response) as one row of a batch.
 * Check it: {@code ./mvnw test -Dexercise=sft_mask}. Train with it: {@code ./gptkit finetune
 * songci_sft_cpu --init_from=out-songci-poems --parts=exercises}.
 *
 * <p>The contract ({@link LossMask}): {@code mask(prompt, response, blockSize, pad)} returns a Row
 * of two long[] of blockSize each, x (the inputs) and y (the targets), as MiniMind's SFT dataset
 * makes them:
 * <ul>
 * <li>s = prompt followed by response, cut to its first blockSize + 1 tokens (a long example loses
 * the end of its response), then padded with {@code pad} up to blockSize + 1 tokens;</li>
 * <li>x = s without its last token, y = s without its first (x[t] = s[t], y[t] = s[t + 1]): y is
 * x shifted by one, as in pre-training;</li>
 * <li>y[t] = -1 where s[t + 1] is a prompt token (t + 1 &lt; prompt.length) or padding (t + 1 at or
 * past the example's end). The first response token IS a target: y[prompt.length - 1], predicted
 * from the prompt's last token.</li>
 * <li>an empty prompt or an empty response is an IllegalArgumentException that says so.</li>
 * </ul>
 * So a row counts exactly min(response.length, blockSize + 1 - prompt.length) targets (none when
 * the prompt alone fills the block).
 *
 * <p>Why: in fine-tuning the prompt is given; the model is to learn the answer only. The loss
 * skips every target -1 (nanoGPT's {@code F.cross_entropy(..., ignore_index=-1)}, the library's
 * CrossEntropy) and averages over the targets that remain, so a row's loss is the mean over its
 * answer tokens. Counting the prompt would spend part of every step on predicting headers (tune
 * and author names), which the user always writes. Padding is not text at all: its targets must
 * not count either. One position too many or too few shifts the boundary: masking the first
 * answer token means the model never learns how to begin an answer; counting the prompt's last
 * target trains it to write the prompt's last character.
 *
 * <p>Read: MiniMind's dataset/lm_dataset.py (class SFTDataset: input_ids cut to max_length and
 * padded, {@code _generate_loss_mask}, then {@code X = input_ids[:-1]}, {@code Y = input_ids[1:]},
 * {@code loss_mask[1:]}); nanoGPT's model.py ({@code ignore_index=-1}). Here max_length is
 * blockSize + 1 and the mask is folded into y as -1.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class SftMask implements LossMask {

    public SftMask() {
    }

    @Override
    public Row mask(int[] prompt, int[] response, int blockSize, int pad) {
        // TODO: refuse an empty prompt or response; x = s[:blockSize] padded, y = s shifted by one, -1 off the response
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: MiniMind's SFT row, step by step.
 *
 *   if prompt.length == 0 or response.length == 0: throw new IllegalArgumentException (say which, and the lengths)
 *   len = prompt.length + response.length       # the example's length, before any cut
 *   token(i) = i < prompt.length ? prompt[i] : response[i - prompt.length]
 *   x, y = two long[blockSize]
 *   for t in 0 .. blockSize - 1:
 *       x[t] = t < len ? token(t) : pad                          # input_ids[:-1], padded
 *       counted = t + 1 >= prompt.length && t + 1 < len           # s[t + 1] is a response token
 *       y[t] = counted ? token(t + 1) : -1                        # input_ids[1:], masked
 *   return new Row(x, y)
 *
 * The cut needs no code of its own: t stops at blockSize - 1, so s[blockSize] is the last target.
 * Check the boundary on prompt {1, 2}, response {3, 4, 5}, blockSize 6, pad 0:
 *   x = 1 2 3 4 5 0      y = -1 3 4 5 -1 -1
 */
