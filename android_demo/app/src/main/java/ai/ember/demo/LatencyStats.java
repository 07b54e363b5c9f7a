package ai.ember.demo;

import java.util.Arrays;

/** min / median / p90 / mean of latencies, with ember-bench's nearest-rank percentiles so the numbers compare. */
public final class LatencyStats {
    private final long[] sorted;

    public LatencyStats(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latencies");
        }
        sorted = nanos.clone();
        Arrays.sort(sorted);
    }

    public int count() {
        return sorted.length;
    }

    public long min() {
        return sorted[0];
    }

    /** Nearest rank: the smallest value with at least p percent of the values at or below it. */
    public long percentile(double p) {
        long rank = (long) Math.ceil(p / 100.0 * sorted.length - 1e-9);
        rank = Math.max(1, Math.min(sorted.length, rank));
        return sorted[(int) rank - 1];
    }

    public long median() {
        return percentile(50);
    }

    public long p90() {
        return percentile(90);
    }

    public double mean() {
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return sum / sorted.length;
    }
}
