package ai.ember.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the strokes drawn on the pad into an image like those of the digits data set (UCI optdigits, which the
 * quickstart model learnt): the drawing's bounding box is fitted, centred, into a 32x32 bitmap, strokes are drawn
 * with a pen about 3 pixels wide, and each 4x4 block's count of set pixels becomes one of 8x8 pixels in 0..16.
 */
public final class StrokeRaster {
    static final int BITMAP = 32;
    static final int BLOCK = 4;
    static final int SIDE = BITMAP / BLOCK;
    private static final float MARGIN = 3f;
    private static final float PEN_RADIUS = 1.5f;

    private final List<List<float[]>> strokes = new ArrayList<>();

    public void startStroke(float x, float y) {
        strokes.add(new ArrayList<float[]>());
        addPoint(x, y);
    }

    public void addPoint(float x, float y) {
        if (strokes.isEmpty()) {
            strokes.add(new ArrayList<float[]>());
        }
        strokes.get(strokes.size() - 1).add(new float[] {x, y});
    }

    public void clear() {
        strokes.clear();
    }

    public boolean isEmpty() {
        return strokes.isEmpty();
    }

    /** The 32x32 bitmap, row-major, true where the pen went. */
    public boolean[] bitmap() {
        boolean[] bits = new boolean[BITMAP * BITMAP];
        float minX = Float.MAX_VALUE, minY = Float.MAX_VALUE, maxX = -Float.MAX_VALUE, maxY = -Float.MAX_VALUE;
        for (List<float[]> stroke : strokes) {
            for (float[] p : stroke) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (minX > maxX) {
            return bits;
        }
        float extent = Math.max(Math.max(maxX - minX, maxY - minY), 1e-6f);
        float scale = (BITMAP - 1 - 2 * MARGIN) / extent;
        float offX = (BITMAP - 1 - (maxX - minX) * scale) / 2 - minX * scale;
        float offY = (BITMAP - 1 - (maxY - minY) * scale) / 2 - minY * scale;
        for (List<float[]> stroke : strokes) {
            float[] prev = null;
            for (float[] p : stroke) {
                float x = p[0] * scale + offX, y = p[1] * scale + offY;
                if (prev == null) {
                    dot(bits, x, y);
                } else {
                    line(bits, prev[0], prev[1], x, y);
                }
                prev = new float[] {x, y};
            }
        }
        return bits;
    }

    private static void line(boolean[] bits, float x0, float y0, float x1, float y1) {
        int steps = (int) Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) * 2) + 1;
        for (int i = 0; i <= steps; i++) {
            float t = (float) i / steps;
            dot(bits, x0 + t * (x1 - x0), y0 + t * (y1 - y0));
        }
    }

    private static void dot(boolean[] bits, float cx, float cy) {
        for (int y = (int) Math.floor(cy - PEN_RADIUS); y <= (int) Math.ceil(cy + PEN_RADIUS); y++) {
            for (int x = (int) Math.floor(cx - PEN_RADIUS); x <= (int) Math.ceil(cx + PEN_RADIUS); x++) {
                float dx = x - cx, dy = y - cy;
                if (x >= 0 && y >= 0 && x < BITMAP && y < BITMAP && dx * dx + dy * dy <= PEN_RADIUS * PEN_RADIUS) {
                    bits[y * BITMAP + x] = true;
                }
            }
        }
    }

    /** The 8x8 image in the data set's units: per 4x4 block of the bitmap, the number of set pixels (0..16). */
    public static float[] blockCounts(boolean[] bitmap) {
        float[] pixels = new float[SIDE * SIDE];
        for (int y = 0; y < BITMAP; y++) {
            for (int x = 0; x < BITMAP; x++) {
                if (bitmap[y * BITMAP + x]) {
                    pixels[(y / BLOCK) * SIDE + x / BLOCK] += 1;
                }
            }
        }
        return pixels;
    }

    public float[] pixels() {
        return blockCounts(bitmap());
    }
}
