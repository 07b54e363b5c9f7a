package ai.ember;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

/**
 * Runs one {@code .tflite} model on Ember's C runtime (edge_runtime) through JNI. The constructors and methods
 * are those of LiteRT's {@code org.tensorflow.lite.Interpreter}, so an app swaps the import:
 *
 * <pre>
 * try (Interpreter it = new Interpreter(modelBuffer, new Interpreter.Options().setNumThreads(2))) {
 *     it.run(input, output);
 * }
 * </pre>
 *
 * The runtime reads the weights in place: a direct model buffer (a {@link MappedByteBuffer} from an asset or a
 * file, or {@link ByteBuffer#allocateDirect}) is used as it is and referenced as long as the interpreter lives,
 * and must not be changed meanwhile; byte arrays and heap buffers are copied once into a direct buffer. The
 * arena is allocated in the constructor, and again after {@link #resizeInput} gives an input another shape.
 * Errors from the runtime become {@link IllegalArgumentException} (bad model, bad input, a shape the graph
 * cannot take) or {@link IllegalStateException} carrying its message. After {@link #close()} every method
 * throws {@link IllegalStateException}. One interpreter serves one thread at a time (calls are synchronized).
 */
public final class Interpreter implements AutoCloseable {
    /** Interpreter settings, as LiteRT's {@code Interpreter.Options}. */
    public static final class Options {
        private int numThreads = 1;

        /**
         * Threads invoke runs CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on: -1 for every core, 0 or 1 for
         * one (the default), at most 1024. Outputs are the same bits for every count.
         */
        public Options setNumThreads(int numThreads) {
            if (numThreads < -1 || numThreads > 1024) {
                throw new IllegalArgumentException("numThreads must be -1 (all cores) or 0..1024, got "
                        + numThreads);
            }
            this.numThreads = numThreads;
            return this;
        }

        public int getNumThreads() {
            return numThreads;
        }
    }

    private final ByteBuffer model; // what the runtime reads: referenced here so that it outlives the handle
    private final int modelBytes;
    private long handle;
    private final Tensor[] inputs;
    private final Tensor[] outputs;
    private Long lastInferenceNanos;
    private boolean resized; // resizeInput changed a shape since the last allocation

    public Interpreter(File modelFile) {
        this(modelFile, null);
    }

    /** Maps the file read-only (as LiteRT does); the mapping lives as long as the interpreter. */
    public Interpreter(File modelFile, Options options) {
        this(map(modelFile), options);
    }

    public Interpreter(byte[] model) {
        this(model, null);
    }

    public Interpreter(byte[] model, Options options) {
        this(copyToDirect(ByteBuffer.wrap(requireModel(model))), options);
    }

    public Interpreter(ByteBuffer model) {
        this(model, null);
    }

    /** The model is the buffer's bytes from position to limit; a direct buffer is used in place, no copy. */
    public Interpreter(ByteBuffer model, Options options) {
        ByteBuffer direct = requireModel(model).isDirect() ? model : copyToDirect(model);
        Options o = options != null ? options : new Options();
        this.model = direct;
        this.modelBytes = direct.remaining();
        this.handle = NativeInterpreter.create(direct, direct.position(), modelBytes, o.getNumThreads());
        try {
            inputs = tensors(NativeInterpreter.inputCount(handle), false);
            outputs = tensors(NativeInterpreter.outputCount(handle), true);
        } catch (RuntimeException e) {
            NativeInterpreter.destroy(handle);
            handle = 0;
            throw e;
        }
    }

    private static <T> T requireModel(T model) {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        return model;
    }

    private static ByteBuffer copyToDirect(ByteBuffer src) {
        ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining());
        copy.put(src.duplicate());
        copy.flip();
        return copy;
    }

    private static MappedByteBuffer map(File file) {
        if (file == null) {
            throw new IllegalArgumentException("model file is null");
        }
        try (RandomAccessFile f = new RandomAccessFile(file, "r"); FileChannel channel = f.getChannel()) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the model file " + file + ": " + e.getMessage(), e);
        }
    }

    private Tensor[] tensors(int count, boolean output) {
        Tensor[] t = new Tensor[count];
        for (int i = 0; i < count; i++) {
            t[i] = new Tensor(handle, NativeInterpreter.ioTensor(handle, i, output));
        }
        return t;
    }

    private void checkOpen() {
        if (handle == 0) {
            throw new IllegalStateException("the Interpreter has been closed; create a new one");
        }
    }

    /** Runs a model with one input and one output (see {@link #runForMultipleInputsOutputs}). */
    public void run(Object input, Object output) {
        runForMultipleInputsOutputs(new Object[] {input}, Collections.singletonMap(0, output));
    }

    /**
     * Writes inputs[i] into input tensor i, invokes, and reads output tensor k into outputs.get(k). Inputs and
     * outputs are primitive arrays (the tensor's shape, or flat) or buffers; a direct ByteBuffer in native byte
     * order is read or written in place from its position (an output buffer's position then advances past the
     * bytes written). A wrong size, type or byte order throws IllegalArgumentException naming the tensor.
     */
    public synchronized void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs) {
        checkOpen();
        if (inputs == null || inputs.length != this.inputs.length) {
            throw new IllegalArgumentException("the model has " + this.inputs.length + " inputs, got "
                    + (inputs == null ? "null" : inputs.length + ""));
        }
        if (outputs == null || outputs.isEmpty()) {
            throw new IllegalArgumentException("outputs must name at least one output tensor");
        }
        for (Integer k : outputs.keySet()) {
            outputTensor(k == null ? -1 : k);
        }
        allocateIfResized();
        for (int i = 0; i < inputs.length; i++) {
            this.inputs[i].setTo(handle, inputs[i]);
        }
        long start = System.nanoTime();
        NativeInterpreter.invoke(handle);
        lastInferenceNanos = System.nanoTime() - start;
        for (Map.Entry<Integer, Object> e : outputs.entrySet()) {
            this.outputs[e.getKey()].copyTo(handle, e.getValue());
        }
    }

    /**
     * Allocates the arena for the current input shapes: after {@link #resizeInput} it plans the arena again and
     * runs every op's checks on the new shapes (run does this itself when it has not been called). A shape the
     * graph cannot take throws IllegalArgumentException with the runtime's message (naming the input, the shape
     * and the op), and the interpreter keeps the shapes of its last allocation, ready to run with them. Without
     * a pending resize it does nothing: the constructor has allocated.
     */
    public synchronized void allocateTensors() {
        checkOpen();
        allocateIfResized();
    }

    private void allocateIfResized() {
        if (!resized) {
            return;
        }
        try {
            NativeInterpreter.allocate(handle);
            resized = false;
        } finally { // refused: the runtime is back on the last allocation's shapes; the next call allocates those
            refreshTensors();
        }
    }

    private void refreshTensors() {
        for (Tensor t : inputs) {
            t.refresh(handle);
        }
        for (Tensor t : outputs) {
            t.refresh(handle);
        }
    }

    /**
     * Starts a new stream in a stateful model (resource variables: VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE):
     * every variable goes back to unassigned and every CALL_ONCE initialiser runs again in the next run, which
     * then computes what a new Interpreter's first run would. LiteRT's method of this name zeroes only is_variable
     * tensors (which the runtime does not load) and keeps its resource variables. Nothing to do for a model
     * without state.
     */
    public synchronized void resetVariableTensors() {
        checkOpen();
        NativeInterpreter.resetVariables(handle);
    }

    /** {@link #resizeInput(int, int[], boolean)} with strict false: any dim may change, the rank stays. */
    public synchronized void resizeInput(int idx, int[] dims) {
        resizeInput(idx, dims, false);
    }

    /**
     * Gives input idx the shape dims, as LiteRT's resizeInput: the rank stays, every dim is at least 0, and with
     * strict only the dims {@link Tensor#shapeSignature()} marks -1 (dynamic) may change. Every op's output shape
     * is recomputed at once, so the input and output {@link Tensor}s report their new shape() and numBytes()
     * right away; the arena follows in {@link #allocateTensors()}, or in the next run when it is not called.
     * Resizing to the current shape does nothing. A refused shape (strict, a rank change, a negative dim, or one
     * an op cannot take) throws IllegalArgumentException with the runtime's message and leaves the interpreter
     * with its previous shapes, still usable; a refusal found when allocating behaves the same way there.
     */
    public synchronized void resizeInput(int idx, int[] dims, boolean strict) {
        Tensor t = getInputTensor(idx);
        if (dims == null) {
            throw new IllegalArgumentException("resizeInput(" + idx + ", null): dims is null");
        }
        int[] shape = t.shape();
        if (Arrays.equals(dims, shape)) {
            return;
        }
        if (strict && dims.length == shape.length) { // a rank change is refused by the runtime, named there
            int[] signature = t.shapeSignature();
            for (int d = 0; d < dims.length; d++) {
                if (dims[d] != shape[d] && signature[d] != -1) {
                    throw new IllegalArgumentException("resizeInput(" + idx + ", " + Arrays.toString(dims)
                            + ", strict): dim " + d + " of input '" + t.name() + "' " + Arrays.toString(shape)
                            + " is " + shape[d] + " and not dynamic (shapeSignature "
                            + Arrays.toString(signature) + "); only dims marked -1 may change, or pass strict "
                            + "false");
                }
            }
        }
        try {
            NativeInterpreter.resizeInput(handle, idx, dims);
            resized = true;
        } finally {
            refreshTensors();
        }
    }

    public synchronized int getInputTensorCount() {
        checkOpen();
        return inputs.length;
    }

    public synchronized int getOutputTensorCount() {
        checkOpen();
        return outputs.length;
    }

    public synchronized Tensor getInputTensor(int inputIndex) {
        checkOpen();
        if (inputIndex < 0 || inputIndex >= inputs.length) {
            throw new IllegalArgumentException("input index " + inputIndex + " is out of range: the model has "
                    + inputs.length + " inputs");
        }
        return inputs[inputIndex];
    }

    public synchronized Tensor getOutputTensor(int outputIndex) {
        checkOpen();
        return outputTensor(outputIndex);
    }

    private Tensor outputTensor(int outputIndex) {
        if (outputIndex < 0 || outputIndex >= outputs.length) {
            throw new IllegalArgumentException("output index " + outputIndex + " is out of range: the model has "
                    + outputs.length + " outputs");
        }
        return outputs[outputIndex];
    }

    /** Position of the input tensor with this name, as LiteRT's getInputIndex. */
    public synchronized int getInputIndex(String opName) {
        checkOpen();
        return indexOf(inputs, opName, "input");
    }

    public synchronized int getOutputIndex(String opName) {
        checkOpen();
        return indexOf(outputs, opName, "output");
    }

    private static int indexOf(Tensor[] tensors, String name, String role) {
        String[] names = new String[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i].name().equals(name)) {
                return i;
            }
            names[i] = tensors[i].name();
        }
        throw new IllegalArgumentException("no " + role + " named '" + name + "'; the model's " + role + "s are "
                + Arrays.toString(names));
    }

    /** Wall time of the last invoke in nanoseconds, null before the first run. */
    public synchronized Long getLastNativeInferenceDurationNanoseconds() {
        checkOpen();
        return lastInferenceNanos;
    }

    /**
     * Bytes of the runtime's arena (tensors, op data, packed weights), as ember-bench reports it; 0 between a
     * {@link #resizeInput} that changed a shape and the allocation that follows it.
     */
    public synchronized long arenaBytes() {
        checkOpen();
        return NativeInterpreter.arenaBytes(handle);
    }

    /** Bytes of the model buffer the runtime reads. */
    public synchronized int modelBytes() {
        checkOpen();
        return modelBytes;
    }

    /** Threads invoke really uses (the Options count with -1 resolved). */
    public synchronized int getNumThreads() {
        checkOpen();
        return NativeInterpreter.numThreads(handle);
    }

    /** The SIMD level of the optimised kernels ("neon_dotprod", "avx2", "portable", ...). */
    public synchronized String isa() {
        checkOpen();
        return NativeInterpreter.isa(handle);
    }

    public synchronized int operatorCount() {
        checkOpen();
        return NativeInterpreter.nodeCount(handle);
    }

    /** Frees the runtime's interpreter and arena; later calls throw IllegalStateException. Closing twice is fine. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            NativeInterpreter.destroy(handle);
            handle = 0;
        }
    }
}
