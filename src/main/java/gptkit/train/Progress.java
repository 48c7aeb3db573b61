package gptkit.train;

import me.tongfei.progressbar.ProgressBar;

import java.io.PrintStream;

/** How a run shows its progress: a console progress bar, or one log line per logged iteration. */
interface Progress extends AutoCloseable {
    /** A logged iteration: its log line and its loss. */
    void logged(String line, float loss);

    /** One iteration done. */
    void step();

    @Override
    void close();

    /** A bar when asked for and a person watches a console; log lines otherwise (CI, notebooks, ranks > 0). */
    static Progress of(boolean wanted, int total, PrintStream out) {
        if (!wanted || System.console() == null) {
            return new Progress() {
                @Override
                public void logged(String line, float loss) {
                    out.println(line);
                }

                @Override
                public void step() {
                }

                @Override
                public void close() {
                }
            };
        }
        ProgressBar bar = ProgressBar.builder().setTaskName("train").setInitialMax(total).build();
        return new Progress() {
            @Override
            public void logged(String line, float loss) {
                bar.setExtraMessage(String.format("loss %.4f", loss));
            }

            @Override
            public void step() {
                bar.step();
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
