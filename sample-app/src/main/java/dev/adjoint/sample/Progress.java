package dev.adjoint.sample;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for training loops (me.tongfei:progressbar, on standard error), shown only on
 * an interactive terminal and never with {@code --quiet}.
 */
interface Progress {

    /** One training loop. */
    interface Task extends AutoCloseable {
        /** Sets the position (0..total) and a short message shown after the bar. */
        void update(long done, String message);

        /** Marks the loop complete after {@code done} steps (fewer than planned when it converged early). */
        void finish(long done, String message);

        @Override
        void close();
    }

    /** Starts a loop of {@code total} steps. */
    Task start(String name, long total);

    /** Shows nothing. */
    Progress NONE = (name, total) -> new Task() {
        @Override
        public void update(long done, String message) {
        }

        @Override
        public void finish(long done, String message) {
        }

        @Override
        public void close() {
        }
    };

    /** Bars on standard error when it is a terminal and {@code quiet} is false; otherwise {@link #NONE}. */
    static Progress forConsole(boolean quiet) {
        if (quiet || System.console() == null) {
            return NONE;
        }
        return (name, total) -> {
            ProgressBar bar = new ProgressBarBuilder()
                    .setTaskName(name)
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(100)
                    .continuousUpdate()
                    .build();
            return new Task() {
                @Override
                public void update(long done, String message) {
                    bar.stepTo(done);
                    bar.setExtraMessage(message);
                }

                @Override
                public void finish(long done, String message) {
                    bar.maxHint(done);
                    bar.stepTo(done);
                    bar.setExtraMessage(message);
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }
}
