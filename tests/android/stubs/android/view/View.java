package android.view;

import android.content.Context;
import android.graphics.Canvas;

public class View {
    public interface OnClickListener {
        void onClick(View v);
    }

    public static class MeasureSpec {
        public static int getSize(int measureSpec) { throw new RuntimeException("Stub!"); }
    }

    public View(Context context) { throw new RuntimeException("Stub!"); }

    protected void onMeasure(int widthMeasureSpec, int heightMeasureSpec) { throw new RuntimeException("Stub!"); }

    protected final void setMeasuredDimension(int measuredWidth, int measuredHeight) { throw new RuntimeException("Stub!"); }

    protected void onDraw(Canvas canvas) { throw new RuntimeException("Stub!"); }

    public boolean onTouchEvent(MotionEvent event) { throw new RuntimeException("Stub!"); }

    public void invalidate() { throw new RuntimeException("Stub!"); }

    public final int getWidth() { throw new RuntimeException("Stub!"); }

    public final int getHeight() { throw new RuntimeException("Stub!"); }

    public void setPadding(int left, int top, int right, int bottom) { throw new RuntimeException("Stub!"); }

    public void setOnClickListener(OnClickListener l) { throw new RuntimeException("Stub!"); }

    public void setLayoutParams(ViewGroup.LayoutParams params) { throw new RuntimeException("Stub!"); }
}
