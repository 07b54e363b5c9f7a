package android.app;

import android.content.Context;
import android.content.Intent;
import android.content.res.AssetManager;
import android.os.Bundle;
import android.view.View;

public class Activity extends Context {
    protected void onCreate(Bundle savedInstanceState) { throw new RuntimeException("Stub!"); }

    protected void onDestroy() { throw new RuntimeException("Stub!"); }

    public void setContentView(View view) { throw new RuntimeException("Stub!"); }

    public final void runOnUiThread(Runnable action) { throw new RuntimeException("Stub!"); }

    @Override
    public AssetManager getAssets() { throw new RuntimeException("Stub!"); }

    @Override
    public void startActivity(Intent intent) { throw new RuntimeException("Stub!"); }
}
