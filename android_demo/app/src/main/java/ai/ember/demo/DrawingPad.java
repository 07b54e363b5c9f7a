package ai.ember.demo;

import android.content.Context;
import android.graphics.Canvas;
import android.graphics.Color;
import android.graphics.Paint;
import android.graphics.Path;
import android.view.MotionEvent;
import android.view.View;

/** A square view the user writes a digit on; each finished stroke is reported to the listener. */
final class DrawingPad extends View {
    interface Listener {
        void onStrokeFinished(StrokeRaster raster);
    }

    private final StrokeRaster raster = new StrokeRaster();
    private final Path path = new Path();
    private final Paint paint = new Paint(Paint.ANTI_ALIAS_FLAG);
    private final Listener listener;

    DrawingPad(Context context, Listener listener) {
        super(context);
        this.listener = listener;
        paint.setColor(Color.BLACK);
        paint.setStyle(Paint.Style.STROKE);
        paint.setStrokeCap(Paint.Cap.ROUND);
        paint.setStrokeJoin(Paint.Join.ROUND);
    }

    void clear() {
        raster.clear();
        path.reset();
        invalidate();
    }

    @Override
    protected void onMeasure(int widthMeasureSpec, int heightMeasureSpec) {
        int side = Math.min(MeasureSpec.getSize(widthMeasureSpec), MeasureSpec.getSize(heightMeasureSpec));
        setMeasuredDimension(side, side);
    }

    @Override
    protected void onDraw(Canvas canvas) {
        canvas.drawColor(Color.WHITE);
        paint.setStrokeWidth(getWidth() / 12f); // about the pen StrokeRaster uses on its 32x32 bitmap
        canvas.drawPath(path, paint);
    }

    @Override
    public boolean onTouchEvent(MotionEvent event) {
        float x = event.getX(), y = event.getY();
        switch (event.getActionMasked()) {
            case MotionEvent.ACTION_DOWN:
                path.moveTo(x, y);
                raster.startStroke(x, y);
                break;
            case MotionEvent.ACTION_MOVE:
                path.lineTo(x, y);
                raster.addPoint(x, y);
                break;
            case MotionEvent.ACTION_UP:
                path.lineTo(x, y);
                raster.addPoint(x, y);
                listener.onStrokeFinished(raster);
                break;
            default:
                return false;
        }
        invalidate();
        return true;
    }
}
