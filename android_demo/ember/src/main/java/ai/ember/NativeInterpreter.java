package ai.ember;

import java.nio.ByteBuffer;

/**
 * The JNI entry points of libember_jni (ember_jni.c registers them in JNI_OnLoad). Every method takes the
 * handle of one ember_interpreter; {@link Interpreter} guarantees it is open and used by one thread at a time.
 * Failed runtime calls throw IllegalArgumentException or IllegalStateException with the runtime's message.
 */
final class NativeInterpreter {
    /** System property naming the library file to load instead of System.loadLibrary("ember_jni"). */
    static final String LIBRARY_PROPERTY = "ember.jni.library";

    static {
        String path = System.getProperty(LIBRARY_PROPERTY);
        if (path != null && !path.isEmpty()) {
            System.load(path);
        } else {
            System.loadLibrary("ember_jni");
        }
    }

    private NativeInterpreter() {}

    static native long create(ByteBuffer model, int offset, int size, int numThreads);

    static native void destroy(long handle);

    static native int inputCount(long handle);

    static native int outputCount(long handle);

    static native int ioTensor(long handle, int i, boolean output);

    static native byte[] tensorName(long handle, int tensor);

    static native int tensorType(long handle, int tensor);

    static native int[] tensorShape(long handle, int tensor, boolean signature);

    static native long tensorBytes(long handle, int tensor);

    static native float tensorQuantization(long handle, int tensor, int[] zeroPoint);

    static native void write(long handle, int tensor, ByteBuffer src, int offset, int bytes);

    static native void read(long handle, int tensor, ByteBuffer dst, int offset, int bytes);

    static native void invoke(long handle);

    static native void resizeInput(long handle, int input, int[] dims);

    static native void allocate(long handle);

    static native void resetVariables(long handle);

    static native long arenaBytes(long handle);

    static native int numThreads(long handle);

    static native String isa(long handle);

    static native int nodeCount(long handle);
}
