package android.widget;

import android.content.Context;

/** The SDK's getText() returns Editable (a CharSequence); the app only calls toString() on it. */
public class EditText extends TextView {
    public EditText(Context context) {
        super(context);
        throw new RuntimeException("Stub!");
    }
}
