package ai.ember;

import java.lang.reflect.Array;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One input or output tensor of an {@link Interpreter}, as LiteRT's {@code org.tensorflow.lite.Tensor}
 * describes it: name, shape, data type, quantisation and byte size. Data moves through {@code run}: a direct
 * {@link ByteBuffer} in native byte order is read or written by the runtime in place (no Java-side copy);
 * primitive arrays of the tensor's shape (or flat, with as many elements) and other buffers go through one
 * staging copy.
 */
public final class Tensor {
    /** Per-tensor quantisation: real = scale * (q - zeroPoint). Scale 0 for a tensor that is not quantised. */
    public static final class QuantizationParams {
        private final float scale;
        private final int zeroPoint;

        public QuantizationParams(float scale, int zeroPoint) {
            this.scale = scale;
            this.zeroPoint = zeroPoint;
        }

        public float getScale() {
            return scale;
        }

        public int getZeroPoint() {
            return zeroPoint;
        }
    }

    private final int index;
    private final String name;
    private final DataType type;
    private int[] shape; // refreshed by the Interpreter after resizeInput and allocation
    private final int[] shapeSignature;
    private int numBytes;
    private final QuantizationParams quantization;
    private ByteBuffer staging; // native order, for arrays and non-direct buffers; allocated on first use

    Tensor(long handle, int index) {
        this.index = index;
        this.name = new String(NativeInterpreter.tensorName(handle, index), StandardCharsets.UTF_8);
        this.type = DataType.fromCode(NativeInterpreter.tensorType(handle, index));
        this.shapeSignature = NativeInterpreter.tensorShape(handle, index, true);
        refresh(handle);
        int[] zeroPoint = new int[1];
        float scale = NativeInterpreter.tensorQuantization(handle, index, zeroPoint);
        this.quantization = new QuantizationParams(scale, zeroPoint[0]);
    }

    /** Reads the shape and byte size the runtime has now (after a resize, they are the new shape's). */
    void refresh(long handle) {
        int[] dims = NativeInterpreter.tensorShape(handle, index, false);
        long bytes = NativeInterpreter.tensorBytes(handle, index);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' holds " + bytes + " bytes, more than a Java "
                    + "buffer can address");
        }
        shape = dims;
        numBytes = (int) bytes;
        if (staging != null && staging.capacity() < numBytes) {
            staging = null; // a larger one on next use
        }
    }

    /** Index of the tensor in the model's subgraph. */
    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public DataType dataType() {
        return type;
    }

    public int numDimensions() {
        return shape.length;
    }

    /** The current shape (after {@link Interpreter#resizeInput}, the new one; numBytes follows it). */
    public int[] shape() {
        return shape.clone();
    }

    /** The shape as the model declares it, -1 for a dynamic dimension. */
    public int[] shapeSignature() {
        return shapeSignature.clone();
    }

    public int numElements() {
        return numBytes / type.byteSize();
    }

    public int numBytes() {
        return numBytes;
    }

    public QuantizationParams quantizationParams() {
        return quantization;
    }

    private String describe() {
        return "tensor '" + name + "' (" + type.name().toLowerCase(Locale.ROOT) + " "
                + Arrays.toString(shape) + ", " + numBytes + " bytes)";
    }

    private ByteBuffer staging() {
        if (staging == null) {
            staging = ByteBuffer.allocateDirect(Math.max(numBytes, 1)).order(ByteOrder.nativeOrder());
        }
        staging.clear();
        staging.limit(numBytes);
        return staging;
    }

    /** Writes src (a Buffer or a primitive array) into the tensor. Called by Interpreter.run, which holds the lock. */
    void setTo(long handle, Object src) {
        if (src == null) {
            throw new IllegalArgumentException("input for " + describe() + " is null");
        }
        if (src instanceof ByteBuffer) {
            ByteBuffer b = (ByteBuffer) src;
            checkOrder(b, "input");
            if (b.remaining() != numBytes) {
                throw new IllegalArgumentException("cannot copy to " + describe() + " from a ByteBuffer with "
                        + b.remaining() + " bytes remaining: it needs exactly " + numBytes);
            }
            if (b.isDirect()) {
                NativeInterpreter.write(handle, index, b, b.position(), numBytes);
                return;
            }
            staging().put(b.duplicate());
        } else if (src instanceof Buffer) {
            Buffer b = (Buffer) src;
            int elements = checkTypedBuffer(b, "input");
            if (elements != numElements()) {
                throw new IllegalArgumentException("cannot copy to " + describe() + " from a "
                        + src.getClass().getSimpleName() + " with " + elements + " elements remaining: it needs "
                        + "exactly " + numElements());
            }
            putTyped(staging(), b);
        } else if (src.getClass().isArray()) {
            checkArray(src, "input");
            ByteBuffer s = staging();
            flatten(src, s);
        } else {
            throw new IllegalArgumentException("cannot copy a " + src.getClass().getName() + " to " + describe()
                    + ": pass a ByteBuffer, a FloatBuffer/IntBuffer/LongBuffer or a primitive array");
        }
        NativeInterpreter.write(handle, index, staging, 0, numBytes);
    }

    /** Reads the tensor into dst (a Buffer or a primitive array). A buffer's position advances by the bytes read. */
    void copyTo(long handle, Object dst) {
        if (dst == null) {
            throw new IllegalArgumentException("output for " + describe() + " is null");
        }
        if (dst instanceof ByteBuffer) {
            ByteBuffer b = (ByteBuffer) dst;
            checkOrder(b, "output");
            checkWritable(b);
            if (b.remaining() < numBytes) {
                throw new IllegalArgumentException("cannot copy " + describe() + " into a ByteBuffer with "
                        + b.remaining() + " bytes remaining: it needs " + numBytes);
            }
            if (b.isDirect()) {
                NativeInterpreter.read(handle, index, b, b.position(), numBytes);
                b.position(b.position() + numBytes);
                return;
            }
            NativeInterpreter.read(handle, index, staging(), 0, numBytes);
            b.put(staging);
        } else if (dst instanceof Buffer) {
            Buffer b = (Buffer) dst;
            checkWritable(b);
            int elements = checkTypedBuffer(b, "output");
            if (elements < numElements()) {
                throw new IllegalArgumentException("cannot copy " + describe() + " into a "
                        + dst.getClass().getSimpleName() + " with " + elements + " elements remaining: it needs "
                        + numElements());
            }
            NativeInterpreter.read(handle, index, staging(), 0, numBytes);
            getTyped(staging, b);
        } else if (dst.getClass().isArray()) {
            checkArray(dst, "output");
            NativeInterpreter.read(handle, index, staging(), 0, numBytes);
            unflatten(staging, dst);
        } else {
            throw new IllegalArgumentException("cannot copy " + describe() + " into a " + dst.getClass().getName()
                    + ": pass a ByteBuffer, a FloatBuffer/IntBuffer/LongBuffer or a primitive array");
        }
    }

    private void checkOrder(ByteBuffer b, String role) {
        if (type.byteSize() > 1 && b.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException(role + " ByteBuffer for " + describe() + " is " + b.order()
                    + " but the runtime reads " + ByteOrder.nativeOrder()
                    + ": call buffer.order(ByteOrder.nativeOrder()) before filling it");
        }
    }

    private void checkWritable(Buffer b) {
        if (b.isReadOnly()) {
            throw new IllegalArgumentException("output buffer for " + describe() + " is read-only");
        }
    }

    /** Remaining elements of a FloatBuffer/IntBuffer/LongBuffer matching the tensor's type. */
    private int checkTypedBuffer(Buffer b, String role) {
        DataType wanted = b instanceof FloatBuffer ? DataType.FLOAT32
                : b instanceof IntBuffer ? DataType.INT32 : b instanceof LongBuffer ? DataType.INT64 : null;
        if (wanted != type) {
            throw new IllegalArgumentException(role + " " + b.getClass().getSimpleName() + " does not match "
                    + describe() + (type == DataType.INT8 ? ": pass a ByteBuffer or a byte array (quantise "
                    + "with quantizationParams())" : ""));
        }
        return b.remaining();
    }

    private static void putTyped(ByteBuffer s, Buffer b) {
        if (b instanceof FloatBuffer) {
            s.asFloatBuffer().put(((FloatBuffer) b).duplicate());
        } else if (b instanceof IntBuffer) {
            s.asIntBuffer().put(((IntBuffer) b).duplicate());
        } else {
            s.asLongBuffer().put(((LongBuffer) b).duplicate());
        }
    }

    private void getTyped(ByteBuffer s, Buffer b) {
        int n = numElements();
        if (b instanceof FloatBuffer) {
            FloatBuffer src = s.asFloatBuffer();
            src.limit(n);
            ((FloatBuffer) b).put(src);
        } else if (b instanceof IntBuffer) {
            IntBuffer src = s.asIntBuffer();
            src.limit(n);
            ((IntBuffer) b).put(src);
        } else {
            LongBuffer src = s.asLongBuffer();
            src.limit(n);
            ((LongBuffer) b).put(src);
        }
    }

    private static DataType elementType(Class<?> c) {
        while (c.isArray()) {
            c = c.getComponentType();
        }
        return c == float.class ? DataType.FLOAT32 : c == int.class ? DataType.INT32
                : c == long.class ? DataType.INT64 : c == byte.class ? DataType.INT8 : null;
    }

    /** The array's type must be the tensor's, its shape the tensor's shape or flat with numElements entries. */
    private void checkArray(Object array, String role) {
        DataType t = elementType(array.getClass());
        // byte arrays carry any one-byte type (int8, uint8, bool), as LiteRT's Java API takes them
        boolean bytes = t == DataType.INT8 && type.byteSize() == 1;
        if (t != type && !bytes) {
            throw new IllegalArgumentException("cannot use a Java " + array.getClass().getSimpleName() + " as "
                    + role + " of " + describe() + (type == DataType.INT8 && t == DataType.FLOAT32
                    ? ": quantise with quantizationParams() into a byte array" : ""));
        }
        int rank = 0;
        for (Class<?> c = array.getClass(); c.isArray(); c = c.getComponentType()) {
            rank++;
        }
        if (rank == 1 && Array.getLength(array) == numElements()) {
            return;
        }
        int[] dims = new int[rank];
        Object level = array;
        for (int d = 0; d < rank; d++) {
            dims[d] = Array.getLength(level);
            if (d + 1 < rank) {
                if (dims[d] == 0) {
                    break;
                }
                level = Array.get(level, 0);
            }
        }
        if (!Arrays.equals(dims, shape)) {
            throw new IllegalArgumentException(role + " array of shape " + Arrays.toString(dims) + " does not fit "
                    + describe() + ": pass an array of that shape or a flat one with " + numElements()
                    + " elements (Interpreter.resizeInput gives an input another shape)");
        }
        checkRagged(array, 0);
    }

    private void checkRagged(Object level, int d) {
        if (Array.getLength(level) != shape[d]) {
            throw new IllegalArgumentException("array dimension " + d + " has " + Array.getLength(level)
                    + " entries in one row, " + describe() + " needs " + shape[d]);
        }
        if (d + 1 < shape.length) {
            for (int i = 0; i < shape[d]; i++) {
                checkRagged(Array.get(level, i), d + 1);
            }
        }
    }

    private static void flatten(Object array, ByteBuffer s) {
        if (array instanceof float[]) {
            float[] a = (float[]) array;
            s.asFloatBuffer().put(a);
            s.position(s.position() + 4 * a.length);
        } else if (array instanceof int[]) {
            int[] a = (int[]) array;
            s.asIntBuffer().put(a);
            s.position(s.position() + 4 * a.length);
        } else if (array instanceof long[]) {
            long[] a = (long[]) array;
            s.asLongBuffer().put(a);
            s.position(s.position() + 8 * a.length);
        } else if (array instanceof byte[]) {
            s.put((byte[]) array);
        } else {
            for (int i = 0, n = Array.getLength(array); i < n; i++) {
                flatten(Array.get(array, i), s);
            }
        }
    }

    private static void unflatten(ByteBuffer s, Object array) {
        if (array instanceof float[]) {
            float[] a = (float[]) array;
            s.asFloatBuffer().get(a);
            s.position(s.position() + 4 * a.length);
        } else if (array instanceof int[]) {
            int[] a = (int[]) array;
            s.asIntBuffer().get(a);
            s.position(s.position() + 4 * a.length);
        } else if (array instanceof long[]) {
            long[] a = (long[]) array;
            s.asLongBuffer().get(a);
            s.position(s.position() + 8 * a.length);
        } else if (array instanceof byte[]) {
            s.get((byte[]) array);
        } else {
            for (int i = 0, n = Array.getLength(array); i < n; i++) {
                unflatten(s, Array.get(array, i));
            }
        }
    }
}
