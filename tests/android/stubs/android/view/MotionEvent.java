package android.view;

public final class MotionEvent {
    public static final int ACTION_DOWN = 0;
    public static final int ACTION_UP = 1;
    public static final int ACTION_MOVE = 2;
    public static final int ACTION_CANCEL = 3;

    public final int getActionMasked() { throw new RuntimeException("Stub!"); }

    public final float getX() { throw new RuntimeException("Stub!"); }

    public final float getY() { throw new RuntimeException("Stub!"); }
}
