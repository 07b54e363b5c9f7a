import ai.ember.demo.DigitClassifier;
import ai.ember.demo.LatencyStats;
import ai.ember.demo.StrokeRaster;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * Runs the app's pure-Java parts (android_demo/app: DigitClassifier, StrokeRaster, LatencyStats) on a desktop JVM
 * for tests/android/test_android_sources.py, which holds the oracles; this only prints what they computed.
 *
 *   digits MODEL PROPERTIES PIXELS.bin OUT.bin  float32 8x8 images (0..16) -> probabilities (float32) + top-3
 *   stats V1 V2 ...                             min median p90 of the values
 *   raster                                      the 8x8 block counts of a vertical stroke and of a horizontal one
 */
public final class AppCheck {
    private AppCheck() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("digits")) {
            byte[] raw = Files.readAllBytes(new File(args[3]).toPath());
            ByteBuffer pixels = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int images = raw.length / (64 * 4);
            ByteBuffer out = ByteBuffer.allocate(images * 10 * 4).order(ByteOrder.LITTLE_ENDIAN);
            byte[] model = Files.readAllBytes(new File(args[1]).toPath());
            ByteBuffer direct = ByteBuffer.allocateDirect(model.length);
            direct.put(model).flip();
            try (InputStream props = new FileInputStream(args[2]);
                    DigitClassifier c = new DigitClassifier(direct, props, 1)) {
                for (int i = 0; i < images; i++) {
                    float[] image = new float[64];
                    for (int k = 0; k < 64; k++) {
                        image[k] = pixels.getFloat();
                    }
                    for (float p : c.probabilities(image)) {
                        out.putFloat(p);
                    }
                    DigitClassifier.Result r = c.classify(image, 3);
                    System.out.println("TOP " + r.top[0].label + " " + r.top[1].label + " " + r.top[2].label);
                }
            }
            Files.write(new File(args[4]).toPath(), out.array());
        } else if (args[0].equals("stats")) {
            long[] v = new long[args.length - 1];
            for (int i = 0; i < v.length; i++) {
                v[i] = Long.parseLong(args[i + 1]);
            }
            LatencyStats s = new LatencyStats(v);
            System.out.println(s.min() + " " + s.median() + " " + s.p90());
        } else {
            StrokeRaster vertical = new StrokeRaster();
            vertical.startStroke(50, 0);
            vertical.addPoint(50, 200);
            System.out.println(Arrays.toString(vertical.pixels()));
            StrokeRaster horizontal = new StrokeRaster();
            horizontal.startStroke(0, 70);
            horizontal.addPoint(300, 70);
            System.out.println(Arrays.toString(horizontal.pixels()));
        }
    }
}
