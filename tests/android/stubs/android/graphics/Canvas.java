package android.graphics;

public class Canvas {
    public void drawColor(int color) { throw new RuntimeException("Stub!"); }

    public void drawPath(Path path, Paint paint) { throw new RuntimeException("Stub!"); }
}
