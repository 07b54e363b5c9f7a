import ai.ember.DataType;
import ai.ember.Interpreter;
import ai.ember.Tensor;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the ai.ember Java API on a desktop JVM for tests/android/test_java_api.py, which holds the oracles
 * (ember.runtime in Python) and the assertions: this program only runs the API and prints what it saw.
 *
 *   run MODEL OUTDIR THREADS IN0.bin ...   the inputs through every I/O path; outputs to OUTDIR/PATH_k.bin
 *   errors MODEL CORRUPT.tflite...          one "CASE name ExceptionClass: message" line per misuse
 *   leak MODEL CYCLES                       RSS around CYCLES create/run/close cycles and around CYCLES unclosed
 *   resize MODEL OUTDIR BAD STEP...         STEP "d0,d1,...:IN.bin:alloc|lazy": resizeInput to those dims, the
 *                                           tensors' shapes, a run (allocateTensors first, or not) to
 *                                           OUTDIR/step_N.bin; then refused resizes ("CASE" lines, BAD: dims the
 *                                           graph cannot take) and a run of the last step again to
 *                                           OUTDIR/after_refusals.bin
 *   stream MODEL OUTDIR IN.bin STEPS        a stateful model: STEPS runs to OUTDIR/step_K.bin, resetVariableTensors,
 *                                           STEPS runs to OUTDIR/reset_K.bin
 */
public final class ApiCheck {
    private ApiCheck() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "run":
                run(new File(args[1]), new File(args[2]), Integer.parseInt(args[3]),
                        Arrays.copyOfRange(args, 4, args.length));
                break;
            case "errors":
                errors(new File(args[1]), Arrays.copyOfRange(args, 2, args.length));
                break;
            case "leak":
                leak(new File(args[1]), Integer.parseInt(args[2]));
                break;
            case "resize":
                resize(new File(args[1]), new File(args[2]), dims(args[3]), Arrays.copyOfRange(args, 4, args.length));
                break;
            case "stream":
                stream(new File(args[1]), new File(args[2]), new File(args[3]), Integer.parseInt(args[4]));
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        b.put(bytes).flip();
        return b;
    }

    private static Class<?> elementClass(DataType t) {
        switch (t) {
            case FLOAT32: return float.class;
            case INT32: return int.class;
            case INT64: return long.class;
            default: return byte.class;
        }
    }

    /** A primitive array of the tensor's shape (flat: one dimension) filled from little-endian bytes. */
    private static Object toArray(Tensor t, byte[] bytes, boolean flat) {
        int[] shape = flat || t.numDimensions() == 0 ? new int[] {t.numElements()} : t.shape();
        Object array = Array.newInstance(elementClass(t.dataType()), shape);
        fill(array, ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()));
        return array;
    }

    private static void fill(Object array, ByteBuffer src) {
        int n = Array.getLength(array);
        for (int i = 0; i < n; i++) {
            Object e = Array.get(array, i);
            if (e.getClass().isArray()) {
                fill(e, src);
            } else if (array instanceof float[]) {
                ((float[]) array)[i] = src.getFloat();
            } else if (array instanceof int[]) {
                ((int[]) array)[i] = src.getInt();
            } else if (array instanceof long[]) {
                ((long[]) array)[i] = src.getLong();
            } else {
                ((byte[]) array)[i] = src.get();
            }
        }
    }

    private static void drain(Object array, ByteBuffer dst) {
        int n = Array.getLength(array);
        for (int i = 0; i < n; i++) {
            Object e = Array.get(array, i);
            if (e.getClass().isArray()) {
                drain(e, dst);
            } else if (array instanceof float[]) {
                dst.putFloat(((float[]) array)[i]);
            } else if (array instanceof int[]) {
                dst.putInt(((int[]) array)[i]);
            } else if (array instanceof long[]) {
                dst.putLong(((long[]) array)[i]);
            } else {
                dst.put(((byte[]) array)[i]);
            }
        }
    }

    private static void describe(String role, int i, Tensor t) {
        Tensor.QuantizationParams q = t.quantizationParams();
        System.out.println("TENSOR " + role + " " + i + " " + t.index() + " " + t.dataType() + " "
                + Arrays.toString(t.shape()).replace(" ", "") + " " + t.numBytes() + " " + t.numElements() + " "
                + q.getScale() + " " + q.getZeroPoint() + " " + t.name());
    }

    /** Every input path (model from File/byte[]/heap ByteBuffer; I/O direct, heap, shaped and flat arrays). */
    private static void run(File model, File out, int threads, String[] inputFiles) throws IOException {
        byte[] modelBytes = Files.readAllBytes(model.toPath());
        byte[][] in = new byte[inputFiles.length][];
        for (int i = 0; i < in.length; i++) {
            in[i] = Files.readAllBytes(new File(inputFiles[i]).toPath());
        }
        String[] paths = {"direct", "heap", "array", "flat"};
        for (String path : paths) {
            Interpreter.Options options = new Interpreter.Options().setNumThreads(threads);
            Interpreter it;
            if (path.equals("direct")) {
                it = new Interpreter(model, options); // a MappedByteBuffer, used in place
            } else if (path.equals("heap")) {
                it = new Interpreter(modelBytes, options);
            } else {
                it = new Interpreter(ByteBuffer.wrap(modelBytes), options);
            }
            try {
                if (path.equals("direct")) {
                    System.out.println("THREADS " + it.getNumThreads() + " ISA " + it.isa() + " ARENA "
                            + it.arenaBytes() + " MODEL " + it.modelBytes() + " OPS " + it.operatorCount());
                    for (int i = 0; i < it.getInputTensorCount(); i++) {
                        describe("input", i, it.getInputTensor(i));
                    }
                    for (int i = 0; i < it.getOutputTensorCount(); i++) {
                        describe("output", i, it.getOutputTensor(i));
                    }
                }
                Object[] inputs = new Object[in.length];
                for (int i = 0; i < in.length; i++) {
                    Tensor t = it.getInputTensor(i);
                    inputs[i] = path.equals("direct") ? direct(in[i])
                            : path.equals("heap") ? ByteBuffer.wrap(in[i]).order(ByteOrder.nativeOrder())
                            : toArray(t, in[i], path.equals("flat"));
                }
                Map<Integer, Object> outputs = new HashMap<>();
                for (int k = 0; k < it.getOutputTensorCount(); k++) {
                    Tensor t = it.getOutputTensor(k);
                    outputs.put(k, path.equals("direct")
                            ? ByteBuffer.allocateDirect(t.numBytes()).order(ByteOrder.nativeOrder())
                            : path.equals("heap") ? ByteBuffer.allocate(t.numBytes()).order(ByteOrder.nativeOrder())
                            : toArray(t, new byte[t.numBytes()], path.equals("flat")));
                }
                if (in.length == 1 && outputs.size() == 1) {
                    it.run(inputs[0], outputs.get(0));
                } else {
                    it.runForMultipleInputsOutputs(inputs, outputs);
                }
                if (it.getLastNativeInferenceDurationNanoseconds() == null) {
                    throw new AssertionError("no inference time after run");
                }
                for (int k = 0; k < outputs.size(); k++) {
                    Object o = outputs.get(k);
                    ByteBuffer bytes;
                    if (o instanceof ByteBuffer) {
                        bytes = (ByteBuffer) o;
                        if (bytes.position() != it.getOutputTensor(k).numBytes()) {
                            throw new AssertionError("output buffer position " + bytes.position());
                        }
                        bytes.flip();
                    } else {
                        bytes = ByteBuffer.allocate(it.getOutputTensor(k).numBytes()).order(ByteOrder.nativeOrder());
                        drain(o, bytes);
                        bytes.flip();
                    }
                    byte[] data = new byte[bytes.remaining()];
                    bytes.get(data);
                    Files.write(new File(out, path + "_" + k + ".bin").toPath(), data);
                }
            } finally {
                it.close();
            }
        }
        System.out.println("DONE");
    }

    interface Action {
        void run() throws Exception;
    }

    private static void expect(String name, Action action) {
        try {
            action.run();
            System.out.println("CASE " + name + " none");
        } catch (Exception e) {
            System.out.println("CASE " + name + " " + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private static void errors(File model, String[] corrupt) throws Exception {
        for (final String c : corrupt) {
            final byte[] bytes = Files.readAllBytes(new File(c).toPath());
            expect("corrupt_bytes:" + new File(c).getName(), () -> new Interpreter(bytes).close());
            expect("corrupt_file:" + new File(c).getName(), () -> new Interpreter(new File(c)).close());
        }
        expect("missing_file", () -> new Interpreter(new File(model.getPath() + ".missing")));
        expect("bad_threads", () -> new Interpreter.Options().setNumThreads(-2));
        final Interpreter it = new Interpreter(model);
        final Tensor in = it.getInputTensor(0);
        final Tensor out = it.getOutputTensor(0);
        final ByteBuffer good = ByteBuffer.allocateDirect(in.numBytes()).order(ByteOrder.nativeOrder());
        final ByteBuffer result = ByteBuffer.allocateDirect(out.numBytes()).order(ByteOrder.nativeOrder());
        expect("good_run", () -> it.run(good, result));
        expect("short_buffer", () -> {
            ByteBuffer b = ByteBuffer.allocateDirect(in.numBytes() - 1).order(ByteOrder.nativeOrder());
            it.run(b, result.clear());
        });
        expect("long_buffer", () -> it.run(ByteBuffer.allocateDirect(in.numBytes() + 4)
                .order(ByteOrder.nativeOrder()), result.clear()));
        expect("short_output", () -> {
            good.clear();
            it.run(good, ByteBuffer.allocateDirect(out.numBytes() - 1).order(ByteOrder.nativeOrder()));
        });
        expect("wrong_array_length", () -> {
            good.clear();
            Object a = Array.newInstance(elementClass(in.dataType()), in.numElements() + 1);
            it.run(a, result.clear());
        });
        expect("wrong_array_type", () -> it.run(new double[in.numElements()], result.clear()));
        expect("wrong_buffer_type", () -> it.run(in.dataType() == DataType.FLOAT32
                ? (Object) ByteBuffer.allocate(in.numBytes()).asIntBuffer()
                : FloatBuffer.allocate(in.numElements()), result.clear()));
        expect("wrong_shape", () -> {
            int[] shape = in.shape();
            shape[shape.length - 1] += 1;
            it.run(Array.newInstance(elementClass(in.dataType()), shape), result.clear());
        });
        expect("null_input", () -> it.run(null, result.clear()));
        expect("read_only_output", () -> {
            good.clear();
            result.clear();
            it.run(good, result.asReadOnlyBuffer());
        });
        if (in.dataType().byteSize() > 1) {
            expect("big_endian_input", () -> it.run(ByteBuffer.allocateDirect(in.numBytes())
                    .order(ByteOrder.BIG_ENDIAN), result.clear()));
        }
        expect("bad_output_index", () -> {
            Map<Integer, Object> outputs = new HashMap<>();
            outputs.put(it.getOutputTensorCount(), result.clear());
            it.runForMultipleInputsOutputs(new Object[] {good.clear()}, outputs);
        });
        expect("bad_input_count", () -> it.runForMultipleInputsOutputs(new Object[0],
                java.util.Collections.<Integer, Object>singletonMap(0, result.clear())));
        expect("bad_input_index", () -> it.getInputTensor(it.getInputTensorCount()));
        expect("unknown_input_name", () -> it.getInputIndex("no such tensor"));
        expect("resize_same", () -> it.resizeInput(0, in.shape()));
        expect("resize_rank", () -> it.resizeInput(0, Arrays.copyOf(in.shape(), in.numDimensions() + 1)));
        expect("resize_strict", () -> {
            int[] shape = in.shape();
            shape[0] = 2;
            it.resizeInput(0, shape, true);
        });
        expect("run_after_bad_calls", () -> it.run(good.clear(), result.clear()));
        it.close();
        expect("close_twice", it::close);
        expect("run_after_close", () -> it.run(good.clear(), result.clear()));
        expect("tensor_after_close", () -> it.getInputTensor(0));
        expect("arena_after_close", it::arenaBytes);
        expect("allocate_after_close", it::allocateTensors);
        System.out.println("DONE");
    }

    private static int[] dims(String text) {
        String[] parts = text.split(",");
        int[] d = new int[parts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Integer.parseInt(parts[i]);
        }
        return d;
    }

    /** Runs input bytes through the interpreter (direct buffers) and writes output 0 to file. */
    private static void runTo(Interpreter it, byte[] input, File file) throws IOException {
        ByteBuffer out = ByteBuffer.allocateDirect(it.getOutputTensor(0).numBytes()).order(ByteOrder.nativeOrder());
        it.run(direct(input), out);
        if (out.position() != it.getOutputTensor(0).numBytes()) {
            throw new AssertionError("output buffer position " + out.position());
        }
        out.flip();
        byte[] data = new byte[out.remaining()];
        out.get(data);
        Files.write(file.toPath(), data);
    }

    /** A stateful model: `steps` runs of one input (OUTDIR/step_K.bin), resetVariableTensors, `steps` again
     * (OUTDIR/reset_K.bin). */
    private static void stream(File model, File out, File input, int steps) throws IOException {
        byte[] x = Files.readAllBytes(input.toPath());
        try (Interpreter it = new Interpreter(model)) {
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < steps; k++) {
                    runTo(it, x, new File(out, (pass == 0 ? "step_" : "reset_") + k + ".bin"));
                }
                it.resetVariableTensors();
            }
        }
        System.out.println("DONE");
    }

    private static void resize(File model, File out, final int[] bad, String[] steps) throws IOException {
        final Interpreter it = new Interpreter(model);
        byte[] last = null;
        int[] lastDims = null;
        for (int n = 0; n < steps.length; n++) {
            String[] step = steps[n].split(":");
            lastDims = dims(step[0]);
            last = Files.readAllBytes(new File(step[1]).toPath());
            it.resizeInput(0, lastDims, true);
            describe("input", 0, it.getInputTensor(0)); // the new shapes before any allocation
            describe("output", 0, it.getOutputTensor(0));
            if (step[2].equals("alloc")) {
                it.allocateTensors();
            }
            runTo(it, last, new File(out, "step_" + n + ".bin"));
            System.out.println("STEP " + n + " ARENA " + it.arenaBytes());
        }
        final int[] shape = it.getInputTensor(0).shape();
        expect("strict_static", () -> {
            int[] d = shape.clone();
            d[d.length - 1] += 1;
            it.resizeInput(0, d, true);
        });
        expect("rank_change", () -> it.resizeInput(0, Arrays.copyOf(shape, shape.length + 1)));
        expect("negative_dim", () -> {
            int[] d = shape.clone();
            d[0] = -1;
            it.resizeInput(0, d);
        });
        expect("null_dims", () -> it.resizeInput(0, null));
        expect("bad_index", () -> it.resizeInput(1, shape));
        expect("bad_resize", () -> it.resizeInput(0, bad));
        expect("bad_allocate", it::allocateTensors);
        describe("input", 0, it.getInputTensor(0));
        describe("output", 0, it.getOutputTensor(0));
        final ByteBuffer anyOut = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
        final byte[] lastInput = last;
        expect("bad_resize_lazy", () -> it.resizeInput(0, bad));
        expect("bad_run", () -> it.run(direct(lastInput), anyOut));
        expect("strict_dynamic", () -> {
            int[] d = shape.clone();
            d[0] = 2;
            it.resizeInput(0, d, true);
        });
        expect("resize_back", () -> it.resizeInput(0, shape, true));
        describe("input", 0, it.getInputTensor(0));
        describe("output", 0, it.getOutputTensor(0));
        runTo(it, last, new File(out, "after_refusals.bin"));
        it.close();
        System.out.println("DONE");
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(new File("/proc/self/status").toPath())) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    private static void cycle(ByteBuffer model, Interpreter.Options options, ByteBuffer in, ByteBuffer out,
            boolean close, List<Interpreter> kept) {
        Interpreter it = new Interpreter(model, options);
        in.clear();
        out.clear();
        it.run(in, out);
        if (close) {
            it.close();
        } else {
            kept.add(it);
        }
    }

    /** RSS growth over `cycles` closed create/run/close cycles, and over as many interpreters left open. */
    private static void leak(File model, int cycles) throws IOException {
        byte[] bytes = Files.readAllBytes(model.toPath());
        ByteBuffer buffer = direct(bytes); // one model buffer for every cycle: only the runtime allocates
        Interpreter.Options options = new Interpreter.Options().setNumThreads(2); // worker threads joined too
        Interpreter.Options single = new Interpreter.Options().setNumThreads(1);
        ByteBuffer in;
        ByteBuffer out;
        try (Interpreter probe = new Interpreter(buffer, options)) {
            in = ByteBuffer.allocateDirect(probe.getInputTensor(0).numBytes()).order(ByteOrder.nativeOrder());
            out = ByteBuffer.allocateDirect(probe.getOutputTensor(0).numBytes()).order(ByteOrder.nativeOrder());
            System.out.println("ARENA " + probe.arenaBytes());
        }
        List<Interpreter> kept = new ArrayList<>();
        for (int i = 0; i < cycles / 5; i++) { // warm-up: the JIT, malloc's arenas, the thread stacks
            cycle(buffer, options, in, out, true, kept);
        }
        long before = rssKiB();
        for (int i = 0; i < cycles; i++) {
            cycle(buffer, options, in, out, true, kept);
        }
        long closed = rssKiB();
        for (int i = 0; i < cycles; i++) {
            cycle(buffer, single, in, out, false, kept);
        }
        long open = rssKiB();
        for (Interpreter it : kept) {
            it.close();
        }
        System.out.println("RSS_KIB " + before + " " + closed + " " + open);
    }
}
