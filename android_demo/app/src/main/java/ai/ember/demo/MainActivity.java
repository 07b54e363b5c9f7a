package ai.ember.demo;

import android.app.Activity;
import android.content.Intent;
import android.graphics.Typeface;
import android.os.Bundle;
import android.view.View;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The drawing pad: write a digit, and after each stroke the int8 digits model (assets/digits_cnn_int8.tflite,
 * written by `ember quickstart --android-assets`) shows its top-3 classes with probabilities and the latency of
 * the interpreter call. The layout is built in code, so the app has no resources to generate.
 */
public final class MainActivity extends Activity implements DrawingPad.Listener {
    static final String MODEL = "digits_cnn_int8.tflite";
    static final String PROPERTIES = "digits_cnn_int8.properties";

    private DigitClassifier classifier;
    private TextView result;
    private DrawingPad pad;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        LinearLayout root = new LinearLayout(this);
        root.setOrientation(LinearLayout.VERTICAL);
        root.setPadding(24, 24, 24, 24);
        TextView hint = new TextView(this);
        hint.setText("Write a digit (0-9) in the square");
        root.addView(hint);
        pad = new DrawingPad(this, this);
        root.addView(pad, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f));
        result = new TextView(this);
        result.setTypeface(Typeface.MONOSPACE);
        result.setTextSize(18);
        root.addView(result);
        LinearLayout buttons = new LinearLayout(this);
        buttons.setOrientation(LinearLayout.HORIZONTAL);
        Button clear = new Button(this);
        clear.setText("Clear");
        clear.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                pad.clear();
                result.setText("");
            }
        });
        buttons.addView(clear);
        Button bench = new Button(this);
        bench.setText("Benchmark");
        bench.setOnClickListener(new View.OnClickListener() {
            @Override
            public void onClick(View v) {
                startActivity(new Intent(MainActivity.this, BenchmarkActivity.class));
            }
        });
        buttons.addView(bench);
        root.addView(buttons);
        setContentView(root);
        try (InputStream properties = getAssets().open(PROPERTIES)) {
            classifier = new DigitClassifier(Assets.map(getAssets(), MODEL), properties, 1);
        } catch (IOException | RuntimeException e) {
            result.setText("cannot load " + MODEL + ": " + e.getMessage()
                    + "\nrun: ember quickstart --android-assets android_demo/app/src/main/assets");
        }
    }

    @Override
    public void onStrokeFinished(StrokeRaster raster) {
        if (classifier == null) {
            return;
        }
        DigitClassifier.Result r = classifier.classify(raster.pixels(), 3);
        StringBuilder text = new StringBuilder();
        for (DigitClassifier.Prediction p : r.top) {
            text.append(String.format(Locale.ROOT, "%-3s %5.1f %%%n", p.label, 100 * p.probability));
        }
        text.append(String.format(Locale.ROOT, "latency %.1f us (%s)", r.latencyNanos / 1e3,
                classifier.interpreter().isa()));
        result.setText(text.toString());
    }

    @Override
    protected void onDestroy() {
        if (classifier != null) {
            classifier.close();
        }
        super.onDestroy();
    }
}
