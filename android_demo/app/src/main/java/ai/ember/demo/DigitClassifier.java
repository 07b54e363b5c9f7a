package ai.ember.demo;

import ai.ember.DataType;
import ai.ember.Interpreter;
import ai.ember.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Properties;

/**
 * The digits model with what its "ember" metadata says about it, from the .properties file `ember quickstart
 * --android-assets` writes next to it: labels, and the input normalisation (x * scale + offset, or
 * (x - mean) / std) that maps the data set's pixel values to what the model was trained on. Pure Java (no
 * android.*), so the host tests run exactly this code.
 */
public final class DigitClassifier implements AutoCloseable {
    /** One class of a result: its label and probability. */
    public static final class Prediction {
        public final int index;
        public final String label;
        public final float probability;

        Prediction(int index, String label, float probability) {
            this.index = index;
            this.label = label;
            this.probability = probability;
        }
    }

    /** The best classes, most probable first, and the time of the interpreter call. */
    public static final class Result {
        public final Prediction[] top;
        public final long latencyNanos;

        Result(Prediction[] top, long latencyNanos) {
            this.top = top;
            this.latencyNanos = latencyNanos;
        }
    }

    private final Interpreter interpreter;
    private final String[] labels;
    private final float scale;
    private final float offset;
    private final ByteBuffer input;
    private final ByteBuffer output;

    public DigitClassifier(ByteBuffer model, InputStream properties, int numThreads) throws IOException {
        Properties p = new Properties();
        p.load(properties);
        int n = Integer.parseInt(p.getProperty("labels", "0"));
        labels = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = p.getProperty("label." + i, Integer.toString(i));
        }
        if (p.getProperty("normalization.mean") != null) { // (x - mean) / std as x * (1 / std) - mean / std
            float mean = first(p, "normalization.mean", 0f), std = first(p, "normalization.std", 1f);
            scale = 1f / std;
            offset = -mean / std;
        } else {
            scale = first(p, "normalization.scale", 1f);
            offset = first(p, "normalization.offset", 0f);
        }
        interpreter = new Interpreter(model, new Interpreter.Options().setNumThreads(numThreads));
        Tensor in = interpreter.getInputTensor(0), out = interpreter.getOutputTensor(0);
        if (out.numElements() != n) {
            interpreter.close();
            throw new IllegalArgumentException("the model has " + out.numElements() + " outputs but its "
                    + "properties name " + n + " labels");
        }
        input = ByteBuffer.allocateDirect(in.numBytes()).order(ByteOrder.nativeOrder());
        output = ByteBuffer.allocateDirect(out.numBytes()).order(ByteOrder.nativeOrder());
    }

    private static float first(Properties p, String key, float fallback) {
        String v = p.getProperty(key);
        return v == null ? fallback : Float.parseFloat(v.split(",")[0].trim());
    }

    public Interpreter interpreter() {
        return interpreter;
    }

    /** TFLite's quantisation of a real value: round half away from zero, then clamp to int8. */
    static byte quantize(float x, float scale, int zeroPoint) {
        double v = (double) x / scale;
        double rounded = Math.signum(v) * Math.floor(Math.abs(v) + 0.5);
        return (byte) Math.max(-128, Math.min(127, rounded + zeroPoint));
    }

    /**
     * Class probabilities for one 8x8 image in the data set's units (0..16, row-major, what StrokeRaster
     * makes); the model's input is NHWC [1, 8, 8, 1], so row-major pixels are already in its order.
     */
    public float[] probabilities(float[] pixels) {
        Tensor in = interpreter.getInputTensor(0), out = interpreter.getOutputTensor(0);
        if (pixels.length != in.numElements()) {
            throw new IllegalArgumentException("the model takes " + in.numElements() + " pixels, got "
                    + pixels.length);
        }
        input.clear();
        Tensor.QuantizationParams q = in.quantizationParams();
        for (float pixel : pixels) {
            float x = pixel * scale + offset;
            if (in.dataType() == DataType.INT8) {
                input.put(quantize(x, q.getScale(), q.getZeroPoint()));
            } else {
                input.putFloat(x);
            }
        }
        input.flip();
        output.clear();
        interpreter.run(input, output);
        output.flip();
        float[] probs = new float[out.numElements()];
        Tensor.QuantizationParams oq = out.quantizationParams();
        for (int i = 0; i < probs.length; i++) {
            probs[i] = out.dataType() == DataType.INT8 ? oq.getScale() * (output.get() - oq.getZeroPoint())
                    : output.getFloat();
        }
        return probs;
    }

    /** The k most probable classes (ties: the lower index first) and the latency of the call. */
    public Result classify(float[] pixels, int k) {
        float[] probs = probabilities(pixels);
        long latency = interpreter.getLastNativeInferenceDurationNanoseconds();
        int count = Math.min(k, probs.length);
        Prediction[] top = new Prediction[count];
        boolean[] taken = new boolean[probs.length];
        for (int r = 0; r < count; r++) {
            int best = -1;
            for (int i = 0; i < probs.length; i++) {
                if (!taken[i] && (best < 0 || probs[i] > probs[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            top[r] = new Prediction(best, labels[best], probs[best]);
        }
        return new Result(top, latency);
    }

    @Override
    public void close() {
        interpreter.close();
    }
}
