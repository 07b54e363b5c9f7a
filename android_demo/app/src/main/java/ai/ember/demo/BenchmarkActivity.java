package ai.ember.demo;

import ai.ember.DataType;
import ai.ember.Interpreter;
import ai.ember.Tensor;
import android.app.Activity;
import android.graphics.Typeface;
import android.os.Bundle;
import android.text.InputType;
import android.view.View;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.TextView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Runs N inferences of a bundled model (one button per .tflite in the assets) on a background thread and shows
 * what ember-bench prints: min / median / p90 latency, arena bytes and model bytes.
 */
public final class BenchmarkActivity extends Activity {
    private EditText runs;
    private EditText threads;
    private TextView report;
    private volatile boolean running;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        LinearLayout root = new LinearLayout(this);
        root.setOrientation(LinearLayout.VERTICAL);
        root.setPadding(24, 24, 24, 24);
        runs = number("200");
        threads = number("1");
        root.addView(label("inferences"));
        root.addView(runs);
        root.addView(label("threads (-1: all cores)"));
        root.addView(threads);
        try {
            for (final String model : Assets.models(getAssets())) {
                Button b = new Button(this);
                b.setText(model);
                b.setOnClickListener(new View.OnClickListener() {
                    @Override
                    public void onClick(View v) {
                        start(model);
                    }
                });
                root.addView(b);
            }
        } catch (IOException e) {
            root.addView(label("cannot list the assets: " + e.getMessage()));
        }
        report = new TextView(this);
        report.setTypeface(Typeface.MONOSPACE);
        root.addView(report);
        ScrollView scroll = new ScrollView(this);
        scroll.addView(root);
        setContentView(scroll);
    }

    private TextView label(String text) {
        TextView t = new TextView(this);
        t.setText(text);
        return t;
    }

    private EditText number(String value) {
        EditText e = new EditText(this);
        e.setInputType(InputType.TYPE_CLASS_NUMBER | InputType.TYPE_NUMBER_FLAG_SIGNED);
        e.setText(value);
        return e;
    }

    private static int parse(CharSequence text, int fallback) {
        try {
            return Integer.parseInt(text.toString().trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void start(final String model) {
        if (running) {
            return;
        }
        running = true;
        final int n = Math.max(1, parse(runs.getText(), 200));
        final int t = parse(threads.getText(), 1);
        report.setText("running " + n + " inferences of " + model + " ...");
        new Thread(new Runnable() {
            @Override
            public void run() {
                String text;
                try {
                    text = benchmark(model, n, t);
                } catch (IOException | RuntimeException e) {
                    text = model + ": " + e.getMessage();
                }
                final String shown = text;
                runOnUiThread(new Runnable() {
                    @Override
                    public void run() {
                        report.setText(shown);
                        running = false;
                    }
                });
            }
        }, "ember-benchmark").start();
    }

    private String benchmark(String model, int n, int numThreads) throws IOException {
        try (Interpreter it = new Interpreter(Assets.map(getAssets(), model),
                new Interpreter.Options().setNumThreads(numThreads))) {
            Object[] inputs = new Object[it.getInputTensorCount()];
            Random random = new Random(1);
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = it.getInputTensor(i);
                byte[] bytes = new byte[in.numBytes()];
                random.nextBytes(bytes);
                ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
                b.put(bytes);
                b.flip();
                if (in.dataType() == DataType.FLOAT32) { // random bytes can be NaN: use [-1, 1)
                    for (int k = 0; k < in.numElements(); k++) {
                        b.putFloat(4 * k, random.nextFloat() * 2 - 1);
                    }
                }
                inputs[i] = b;
            }
            Map<Integer, Object> outputs = new HashMap<>();
            for (int k = 0; k < it.getOutputTensorCount(); k++) {
                outputs.put(k, ByteBuffer.allocateDirect(it.getOutputTensor(k).numBytes())
                        .order(ByteOrder.nativeOrder()));
            }
            long[] nanos = new long[n];
            for (int r = -1; r < n; r++) { // one warm-up run, as ember-bench
                for (Object o : outputs.values()) {
                    ((ByteBuffer) o).clear();
                }
                it.runForMultipleInputsOutputs(inputs, outputs);
                if (r >= 0) {
                    nanos[r] = it.getLastNativeInferenceDurationNanoseconds();
                }
            }
            LatencyStats s = new LatencyStats(nanos);
            return String.format(Locale.ROOT, "%s%n%d runs, %d thread(s), %s%nmin     %10.1f us%n"
                    + "median  %10.1f us%np90     %10.1f us%nmean    %10.1f us%narena   %,10d bytes%n"
                    + "model   %,10d bytes%n", model, n, it.getNumThreads(), it.isa(), s.min() / 1e3,
                    s.median() / 1e3, s.p90() / 1e3, s.mean() / 1e3, it.arenaBytes(), it.modelBytes());
        }
    }
}
