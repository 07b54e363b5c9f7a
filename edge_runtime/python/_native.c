/* ember.runtime._native: a thin CPython layer over the public C API (ember.h). It moves bytes only; numpy
 * arrays and LiteRT-style dictionaries are built in interpreter.py. Every failed C call raises
 * RuntimeModelError (a ValueError) carrying "<status>: <runtime message>" and the status name in its `status`
 * attribute. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "ember.h"

static PyObject *RuntimeModelError; /* module-level exception type, created once at import */

typedef struct {
    PyObject_HEAD
    ember_interpreter *interpreter;
    PyObject *model; /* the object the interpreter reads (bytes or a read-only mmap); must outlive it */
    Py_buffer view;  /* its bytes, held while the interpreter lives (an exported mmap cannot be closed) */
    int busy;        /* set while invoke runs without the GIL: one interpreter, one thread at a time */
} NativeInterpreter;

static PyObject *raise_status(ember_status status, const char *message) {
    PyObject *text, *exc;
    text = PyUnicode_FromFormat("%s: %s", ember_status_string(status), message);
    if (!text)
        return NULL;
    exc = PyObject_CallOneArg(RuntimeModelError, text);
    Py_DECREF(text);
    if (!exc)
        return NULL;
    text = PyUnicode_FromString(ember_status_string(status));
    if (!text || PyObject_SetAttrString(exc, "status", text) < 0)
        PyErr_Clear();
    Py_XDECREF(text);
    PyErr_SetObject(RuntimeModelError, exc);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *raise_interpreter(NativeInterpreter *self, ember_status status) {
    return raise_status(status, ember_interpreter_error(self->interpreter));
}

/* Runs each registerer on `resolver`: an int is the address of a C ember_op_registerer, anything callable is
 * called with the resolver's address (LiteRT's convention for Python registerers) and must return None or 0.
 * 0 with a Python exception set on failure. */
static int run_registerers(PyObject *registerers, ember_op_resolver *resolver) {
    PyObject *seq = PySequence_Fast(registerers, "registerers must be a sequence");
    Py_ssize_t i, n;
    if (!seq)
        return 0;
    n = PySequence_Fast_GET_SIZE(seq);
    for (i = 0; i < n; ++i) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        ember_status status = EMBER_OK;
        if (PyLong_Check(item)) {
            void *address = PyLong_AsVoidPtr(item);
            ember_op_registerer registerer;
            if (!address) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "a registerer address is NULL");
                Py_DECREF(seq);
                return 0;
            }
            memcpy(&registerer, &address, sizeof registerer);
            status = registerer(resolver);
        } else if (PyCallable_Check(item)) {
            PyObject *arg = PyLong_FromVoidPtr(resolver), *result;
            result = arg ? PyObject_CallOneArg(item, arg) : NULL;
            Py_XDECREF(arg);
            if (!result) {
                Py_DECREF(seq);
                return 0;
            }
            if (result != Py_None) {
                long value = PyLong_Check(result) ? PyLong_AsLong(result) : -1;
                status = value == 0                ? EMBER_OK
                         : value > 0 && value <= 6 ? (ember_status)value
                                                   : EMBER_INVALID_ARGUMENT;
            }
            Py_DECREF(result);
        } else {
            PyErr_Format(PyExc_TypeError,
                         "registerer %zd is %.64s, expected a function address (int) or a callable", i,
                         Py_TYPE(item)->tp_name);
            Py_DECREF(seq);
            return 0;
        }
        if (status != EMBER_OK) {
            char message[EMBER_ERROR_CAPACITY + 64];
            snprintf(message, sizeof message, "custom op registerer %ld failed: %s", (long)i,
                     ember_op_resolver_error(resolver)[0] ? ember_op_resolver_error(resolver) : "no message");
            raise_status(status, message);
            Py_DECREF(seq);
            return 0;
        }
    }
    Py_DECREF(seq);
    return 1;
}

static int NativeInterpreter_init(NativeInterpreter *self, PyObject *args, PyObject *kwds) {
    static char *keywords[] = {"model", "registerers", NULL};
    PyObject *model, *registerers = Py_None;
    ember_op_resolver *resolver = NULL;
    char error[EMBER_ERROR_CAPACITY];
    ember_interpreter *interpreter = NULL;
    ember_status status;
    PyThreadState *save;
    Py_buffer view;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O", keywords, &model, &registerers))
        return -1;
    if (self->interpreter) {
        PyErr_SetString(PyExc_RuntimeError, "interpreter is already initialised");
        return -1;
    }
    /* The runtime reads weights in place, so only read-only buffers (bytes, mmap.ACCESS_READ) will do. */
    if (PyObject_GetBuffer(model, &view, PyBUF_SIMPLE) < 0)
        return -1;
    if (!view.readonly) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_TypeError,
                        "NativeInterpreter needs a read-only buffer (bytes or a read-only mmap)");
        return -1;
    }
    if (registerers != Py_None) {
        if (ember_op_resolver_create(&resolver) != EMBER_OK) {
            PyBuffer_Release(&view);
            PyErr_NoMemory();
            return -1;
        }
        if (!run_registerers(registerers, resolver)) {
            ember_op_resolver_destroy(resolver);
            PyBuffer_Release(&view);
            return -1;
        }
    }
    /* Verification walks the whole model; release the GIL, the buffer is read-only and held. */
    save = PyEval_SaveThread();
    status = ember_interpreter_create_with_resolver(view.buf, (size_t)view.len, resolver, &interpreter, error,
                                                    sizeof error);
    PyEval_RestoreThread(save);
    ember_op_resolver_destroy(resolver); /* the interpreter keeps its own copy */
    if (status != EMBER_OK) {
        PyBuffer_Release(&view);
        raise_status(status, error);
        return -1;
    }
    Py_INCREF(model);
    self->model = model;
    self->view = view;
    self->interpreter = interpreter;
    return 0;
}

static void NativeInterpreter_dealloc(NativeInterpreter *self) {
    ember_interpreter_destroy(self->interpreter);
    if (self->interpreter)
        PyBuffer_Release(&self->view);
    self->interpreter = NULL;
    Py_XDECREF(self->model);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int ready(NativeInterpreter *self) {
    if (!self->interpreter) {
        PyErr_SetString(PyExc_RuntimeError, "interpreter was not initialised");
        return 0;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "interpreter is running invoke() in another thread");
        return 0;
    }
    return 1;
}

static PyObject *NativeInterpreter_allocate_tensors(NativeInterpreter *self, PyObject *unused) {
    ember_status status;
    (void)unused;
    if (!ready(self))
        return NULL;
    status = ember_interpreter_allocate_tensors(self->interpreter);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

static PyObject *NativeInterpreter_invoke(NativeInterpreter *self, PyObject *unused) {
    ember_status status;
    PyThreadState *save;
    (void)unused;
    if (!ready(self))
        return NULL;
    /* Release the GIL while computing; `busy` keeps other threads off this interpreter meanwhile. */
    self->busy = 1;
    save = PyEval_SaveThread();
    status = ember_interpreter_invoke(self->interpreter);
    PyEval_RestoreThread(save);
    self->busy = 0;
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

static PyObject *index_tuple(NativeInterpreter *self, int outputs) {
    int32_t count, i, index;
    PyObject *result;
    if (!ready(self))
        return NULL;
    count = outputs ? ember_interpreter_output_count(self->interpreter)
                    : ember_interpreter_input_count(self->interpreter);
    result = PyTuple_New(count);
    if (!result)
        return NULL;
    for (i = 0; i < count; ++i) {
        ember_status status = outputs ? ember_interpreter_output_tensor(self->interpreter, i, &index)
                                      : ember_interpreter_input_tensor(self->interpreter, i, &index);
        if (status != EMBER_OK) {
            Py_DECREF(result);
            return raise_interpreter(self, status);
        }
        PyTuple_SET_ITEM(result, i, PyLong_FromLong(index));
    }
    return result;
}

static PyObject *NativeInterpreter_inputs(NativeInterpreter *self, PyObject *unused) {
    (void)unused;
    return index_tuple(self, 0);
}

static PyObject *NativeInterpreter_outputs(NativeInterpreter *self, PyObject *unused) {
    (void)unused;
    return index_tuple(self, 1);
}

static PyObject *NativeInterpreter_tensor_count(NativeInterpreter *self, PyObject *unused) {
    (void)unused;
    if (!ready(self))
        return NULL;
    return PyLong_FromLong(ember_interpreter_tensor_count(self->interpreter));
}

static PyObject *NativeInterpreter_isa(NativeInterpreter *self, PyObject *unused) {
    (void)unused;
    if (!ready(self))
        return NULL;
    return PyUnicode_FromString(ember_interpreter_isa(self->interpreter));
}

static PyObject *NativeInterpreter_set_num_threads(NativeInterpreter *self, PyObject *arg) {
    long n;
    ember_status status;
    if (!ready(self))
        return NULL;
    n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    /* Outside int32 the runtime's own range check names the value. */
    status = ember_interpreter_set_num_threads(self->interpreter, n < INT32_MIN   ? INT32_MIN
                                                                  : n > INT32_MAX ? INT32_MAX
                                                                                  : (int32_t)n);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

static PyObject *NativeInterpreter_num_threads(NativeInterpreter *self, PyObject *unused) {
    (void)unused;
    if (!ready(self))
        return NULL;
    return PyLong_FromLong(ember_interpreter_num_threads(self->interpreter));
}

static PyObject *NativeInterpreter_arena_bytes(NativeInterpreter *self, PyObject *unused) {
    (void)unused;
    if (!ready(self))
        return NULL;
    return PyLong_FromSize_t(ember_interpreter_arena_bytes(self->interpreter));
}

/* (arena bytes required, [offset per tensor]) with offsets as ember_interpreter_tensor_offset reports them.
 */
static PyObject *NativeInterpreter_memory_plan(NativeInterpreter *self, PyObject *unused) {
    size_t required = 0;
    int32_t i, count;
    ember_status status;
    PyObject *offsets;
    (void)unused;
    if (!ready(self))
        return NULL;
    status = ember_interpreter_arena_bytes_required(self->interpreter, &required);
    count = ember_interpreter_tensor_count(self->interpreter);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    offsets = PyList_New(count);
    if (!offsets)
        return NULL;
    for (i = 0; i < count; ++i) {
        int64_t offset = -1;
        PyObject *value;
        status = ember_interpreter_tensor_offset(self->interpreter, i, &offset);
        if (status != EMBER_OK) {
            Py_DECREF(offsets);
            return raise_interpreter(self, status);
        }
        value = PyLong_FromLongLong((long long)offset);
        if (!value) {
            Py_DECREF(offsets);
            return NULL;
        }
        PyList_SET_ITEM(offsets, i, value);
    }
    return Py_BuildValue("(nN)", (Py_ssize_t)required, offsets);
}

static PyObject *int_tuple(const int32_t *values, int32_t count) {
    PyObject *result = PyTuple_New(count);
    int32_t i;
    for (i = 0; result && i < count; ++i)
        PyTuple_SET_ITEM(result, i, PyLong_FromLong(values[i]));
    return result;
}

/* tensor_info(index) -> dict(name, type, shape, shape_signature, bytes, is_constant, allocated, scales,
 * zero_points, quantized_dimension); `type` is the TFLite TensorType number. */
static PyObject *NativeInterpreter_tensor_info(NativeInterpreter *self, PyObject *arg) {
    ember_tensor_info info;
    ember_status status;
    long index;
    int32_t c;
    PyObject *scales = NULL, *zero_points = NULL, *result = NULL;
    if (!ready(self))
        return NULL;
    index = PyLong_AsLong(arg);
    if (index == -1 && PyErr_Occurred())
        return NULL;
    if (index < INT32_MIN || index > INT32_MAX)
        index = -1; /* reported by the C range check below */
    status = ember_interpreter_tensor_info(self->interpreter, (int32_t)index, &info);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    scales = PyList_New(info.quant_count);
    zero_points = PyList_New(info.quant_count);
    if (!scales || !zero_points)
        goto done;
    for (c = 0; c < info.quant_count; ++c) {
        float scale;
        int32_t zero_point;
        status =
            ember_interpreter_tensor_quantization(self->interpreter, (int32_t)index, c, &scale, &zero_point);
        if (status != EMBER_OK) {
            raise_interpreter(self, status);
            goto done;
        }
        PyList_SET_ITEM(scales, c, PyFloat_FromDouble(scale));
        PyList_SET_ITEM(zero_points, c, PyLong_FromLong(zero_point));
    }
    /* Names come from the file: not necessarily valid UTF-8, so decode leniently. */
    result = Py_BuildValue("{s:N,s:i,s:N,s:N,s:n,s:O,s:O,s:O,s:O,s:i}", "name",
                           PyUnicode_DecodeUTF8(info.name, (Py_ssize_t)strlen(info.name), "replace"), "type",
                           (int)info.type, "shape", int_tuple(info.dims, info.rank), "shape_signature",
                           int_tuple(info.dims_signature, info.rank), "bytes", (Py_ssize_t)info.bytes,
                           "is_constant", info.is_constant ? Py_True : Py_False, "allocated",
                           info.data ? Py_True : Py_False, "scales", scales, "zero_points", zero_points,
                           "quantized_dimension", (int)info.quantized_dimension);
done:
    Py_XDECREF(scales);
    Py_XDECREF(zero_points);
    return result;
}

static int parse_index(PyObject *arg, int32_t *index) {
    long value = PyLong_AsLong(arg);
    if (value == -1 && PyErr_Occurred())
        return 0;
    *index = value < INT32_MIN || value > INT32_MAX ? -1 : (int32_t)value;
    return 1;
}

/* set_tensor(index, buffer): copies a C-contiguous buffer of exactly the tensor's byte size. */
static PyObject *NativeInterpreter_set_tensor(NativeInterpreter *self, PyObject *args) {
    PyObject *index_obj;
    Py_buffer view;
    int32_t index;
    ember_status status;
    if (!ready(self) || !PyArg_ParseTuple(args, "Oy*", &index_obj, &view))
        return NULL;
    if (!parse_index(index_obj, &index)) {
        PyBuffer_Release(&view);
        return NULL;
    }
    status = ember_interpreter_write_tensor(self->interpreter, index, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

/* get_tensor(index) -> bytearray copy of the tensor's bytes (writable, so numpy can wrap it without a copy).
 */
static PyObject *NativeInterpreter_get_tensor(NativeInterpreter *self, PyObject *arg) {
    ember_tensor_info info;
    ember_status status;
    int32_t index;
    PyObject *result;
    if (!ready(self) || !parse_index(arg, &index))
        return NULL;
    status = ember_interpreter_tensor_info(self->interpreter, index, &info);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    result = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)info.bytes);
    if (!result)
        return NULL;
    status =
        ember_interpreter_read_tensor(self->interpreter, index, PyByteArray_AS_STRING(result), info.bytes);
    if (status != EMBER_OK) {
        Py_DECREF(result);
        return raise_interpreter(self, status);
    }
    return result;
}

/* dims (a sequence of ints) into dims[]; 0 with an exception set on failure. */
static int parse_dims(PyObject *dims_obj, int32_t *dims, int32_t *rank) {
    PyObject *seq = PySequence_Fast(dims_obj, "resize_input: dims must be a sequence of ints");
    int32_t d;
    if (!seq)
        return 0;
    if (PySequence_Fast_GET_SIZE(seq) > EMBER_MAX_DIMS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "resize_input: at most %d dims", EMBER_MAX_DIMS);
        return 0;
    }
    *rank = (int32_t)PySequence_Fast_GET_SIZE(seq);
    for (d = 0; d < *rank; ++d) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, d));
        if (v == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return 0;
        }
        dims[d] = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
    }
    Py_DECREF(seq);
    return 1;
}

/* resize_input(input_number, dims) / resize_tensor(tensor_index, dims): ember_interpreter_resize_input /
 * _resize_tensor with a sequence of ints. */
static PyObject *resize(NativeInterpreter *self, PyObject *args, int by_tensor) {
    PyObject *dims_obj;
    int32_t which, dims[EMBER_MAX_DIMS], rank;
    ember_status status;
    if (!ready(self) || !PyArg_ParseTuple(args, "iO", &which, &dims_obj) ||
        !parse_dims(dims_obj, dims, &rank))
        return NULL;
    status = by_tensor ? ember_interpreter_resize_tensor(self->interpreter, which, dims, rank)
                       : ember_interpreter_resize_input(self->interpreter, which, dims, rank);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

static PyObject *NativeInterpreter_resize_input(NativeInterpreter *self, PyObject *args) {
    return resize(self, args, 0);
}

static PyObject *NativeInterpreter_resize_tensor(NativeInterpreter *self, PyObject *args) {
    return resize(self, args, 1);
}

static PyObject *NativeInterpreter_set_preserve_all_tensors(NativeInterpreter *self, PyObject *arg) {
    int preserve = PyObject_IsTrue(arg);
    ember_status status;
    if (!ready(self) || preserve < 0)
        return NULL;
    status = ember_interpreter_set_preserve_all_tensors(self->interpreter, preserve);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

/* ---- signatures and subgraphs (ember.h "Signatures", "Subgraphs") ---- */

/* ((name, tensor index), ...) of a signature's inputs (outputs = 0) or outputs. */
static PyObject *signature_entries(NativeInterpreter *self, int32_t signature, int outputs) {
    const int32_t count = outputs ? ember_interpreter_signature_output_count(self->interpreter, signature)
                                  : ember_interpreter_signature_input_count(self->interpreter, signature);
    PyObject *result = PyTuple_New(count);
    int32_t i;
    if (!result)
        return NULL;
    for (i = 0; i < count; ++i) {
        const char *name;
        int32_t index;
        PyObject *entry;
        ember_status status =
            outputs ? ember_interpreter_signature_output(self->interpreter, signature, i, &name, &index)
                    : ember_interpreter_signature_input(self->interpreter, signature, i, &name, &index);
        if (status != EMBER_OK) {
            Py_DECREF(result);
            return raise_interpreter(self, status);
        }
        entry = Py_BuildValue("(si)", name, (int)index);
        if (!entry) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, entry);
    }
    return result;
}

/* signatures() -> ((key, subgraph, inputs, outputs), ...), inputs and outputs as signature_entries. */
static PyObject *NativeInterpreter_signatures(NativeInterpreter *self, PyObject *unused) {
    int32_t count, i;
    PyObject *result;
    (void)unused;
    if (!ready(self))
        return NULL;
    count = ember_interpreter_signature_count(self->interpreter);
    result = PyTuple_New(count);
    if (!result)
        return NULL;
    for (i = 0; i < count; ++i) {
        int32_t subgraph = 0;
        PyObject *inputs, *outputs, *entry;
        ember_status status = ember_interpreter_signature_subgraph(self->interpreter, i, &subgraph);
        if (status != EMBER_OK) {
            Py_DECREF(result);
            return raise_interpreter(self, status);
        }
        inputs = signature_entries(self, i, 0);
        outputs = inputs ? signature_entries(self, i, 1) : NULL;
        entry = outputs ? Py_BuildValue("(siNN)", ember_interpreter_signature_key(self->interpreter, i),
                                        (int)subgraph, inputs, outputs)
                        : NULL;
        if (!entry) {
            Py_XDECREF(inputs);
            Py_XDECREF(outputs);
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, entry);
    }
    return result;
}

static PyObject *NativeInterpreter_invoke_signature(NativeInterpreter *self, PyObject *arg) {
    ember_status status;
    PyThreadState *save;
    int32_t signature;
    if (!ready(self) || !parse_index(arg, &signature))
        return NULL;
    self->busy = 1;
    save = PyEval_SaveThread();
    status = ember_interpreter_invoke_signature(self->interpreter, signature);
    PyEval_RestoreThread(save);
    self->busy = 0;
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

static PyObject *NativeInterpreter_reset_variables(NativeInterpreter *self, PyObject *unused) {
    ember_status status;
    (void)unused;
    if (!ready(self))
        return NULL;
    status = ember_interpreter_reset_variables(self->interpreter);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    Py_RETURN_NONE;
}

/* find_signature(key) -> its index; signature_tensor(signature, name, is_output) -> the tensor index of that
 * input or output (the C API's lookups by name, with its messages). */
static PyObject *NativeInterpreter_find_signature(NativeInterpreter *self, PyObject *arg) {
    const char *key;
    int32_t signature;
    ember_status status;
    if (!ready(self) || !(key = PyUnicode_AsUTF8(arg)))
        return NULL;
    status = ember_interpreter_find_signature(self->interpreter, key, &signature);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    return PyLong_FromLong(signature);
}

static PyObject *NativeInterpreter_signature_tensor(NativeInterpreter *self, PyObject *args) {
    const char *name;
    int signature, is_output;
    int32_t index;
    ember_status status;
    if (!ready(self) || !PyArg_ParseTuple(args, "isp", &signature, &name, &is_output))
        return NULL;
    status = is_output ? ember_interpreter_signature_output_tensor(self->interpreter, signature, name, &index)
                       : ember_interpreter_signature_input_tensor(self->interpreter, signature, name, &index);
    if (status != EMBER_OK)
        return raise_interpreter(self, status);
    return PyLong_FromLong(index);
}

/* subgraphs() -> ((name, tensor_base, tensor_count, (op names...), inputs, outputs), ...). */
static PyObject *NativeInterpreter_subgraphs(NativeInterpreter *self, PyObject *unused) {
    int32_t count, s, i;
    PyObject *result;
    (void)unused;
    if (!ready(self))
        return NULL;
    count = ember_interpreter_subgraph_count(self->interpreter);
    result = PyTuple_New(count);
    if (!result)
        return NULL;
    for (s = 0; s < count; ++s) {
        ember_subgraph_info info;
        PyObject *ops, *inputs, *outputs, *entry;
        ember_status status = ember_interpreter_subgraph_info(self->interpreter, s, &info);
        if (status != EMBER_OK) {
            Py_DECREF(result);
            return raise_interpreter(self, status);
        }
        ops = PyTuple_New(info.node_count);
        for (i = 0; ops && i < info.node_count; ++i) {
            PyObject *name =
                PyUnicode_FromString(ember_interpreter_subgraph_node_name(self->interpreter, s, i));
            if (!name) {
                Py_CLEAR(ops);
                break;
            }
            PyTuple_SET_ITEM(ops, i, name);
        }
        inputs = ops ? int_tuple(info.inputs, info.input_count) : NULL;
        outputs = inputs ? int_tuple(info.outputs, info.output_count) : NULL;
        entry = outputs ? Py_BuildValue("(siiNNN)", info.name, (int)info.tensor_base, (int)info.tensor_count,
                                        ops, inputs, outputs)
                        : NULL;
        if (!entry) {
            Py_XDECREF(ops);
            Py_XDECREF(inputs);
            Py_XDECREF(outputs);
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, s, entry);
    }
    return result;
}

static PyMethodDef NativeInterpreter_methods[] = {
    {"set_preserve_all_tensors", (PyCFunction)NativeInterpreter_set_preserve_all_tensors, METH_O,
     "Give every tensor its own bytes (before allocate_tensors)."},
    {"resize_input", (PyCFunction)NativeInterpreter_resize_input, METH_VARARGS,
     "Give graph input number i new dims (then allocate_tensors again)."},
    {"resize_tensor", (PyCFunction)NativeInterpreter_resize_tensor, METH_VARARGS,
     "Give the input tensor of any subgraph new dims (then allocate_tensors again)."},
    {"allocate_tensors", (PyCFunction)NativeInterpreter_allocate_tensors, METH_NOARGS,
     "Plan and allocate the arena."},
    {"invoke", (PyCFunction)NativeInterpreter_invoke, METH_NOARGS, "Run the graph once."},
    {"inputs", (PyCFunction)NativeInterpreter_inputs, METH_NOARGS, "Tensor indices of the graph inputs."},
    {"outputs", (PyCFunction)NativeInterpreter_outputs, METH_NOARGS, "Tensor indices of the graph outputs."},
    {"tensor_count", (PyCFunction)NativeInterpreter_tensor_count, METH_NOARGS, "Number of tensors."},
    {"arena_bytes", (PyCFunction)NativeInterpreter_arena_bytes, METH_NOARGS, "Arena size in bytes."},
    {"isa", (PyCFunction)NativeInterpreter_isa, METH_NOARGS, "SIMD level of the optimised kernels."},
    {"set_num_threads", (PyCFunction)NativeInterpreter_set_num_threads, METH_O,
     "Threads of invoke (-1: all cores); before allocate_tensors."},
    {"num_threads", (PyCFunction)NativeInterpreter_num_threads, METH_NOARGS, "Threads invoke uses."},
    {"memory_plan", (PyCFunction)NativeInterpreter_memory_plan, METH_NOARGS,
     "(arena bytes required, arena offset of each tensor or -1)."},
    {"tensor_info", (PyCFunction)NativeInterpreter_tensor_info, METH_O, "Description of one tensor (dict)."},
    {"set_tensor", (PyCFunction)NativeInterpreter_set_tensor, METH_VARARGS, "Copy bytes into a tensor."},
    {"get_tensor", (PyCFunction)NativeInterpreter_get_tensor, METH_O,
     "Copy of a tensor's bytes (bytearray)."},
    {"signatures", (PyCFunction)NativeInterpreter_signatures, METH_NOARGS,
     "((key, subgraph, ((input name, tensor), ...), ((output name, tensor), ...)), ...)."},
    {"invoke_signature", (PyCFunction)NativeInterpreter_invoke_signature, METH_O,
     "Run signature i's subgraph once."},
    {"reset_variables", (PyCFunction)NativeInterpreter_reset_variables, METH_NOARGS,
     "Resource variables and CALL_ONCE back to their state before the first invoke."},
    {"find_signature", (PyCFunction)NativeInterpreter_find_signature, METH_O,
     "Index of the signature `key`."},
    {"signature_tensor", (PyCFunction)NativeInterpreter_signature_tensor, METH_VARARGS,
     "(signature, name, is_output) -> tensor index."},
    {"subgraphs", (PyCFunction)NativeInterpreter_subgraphs, METH_NOARGS,
     "((name, tensor_base, tensor_count, op names, inputs, outputs), ...)."},
    {NULL, NULL, 0, NULL},
};

/* Kept unformatted: the head macro ends in a comma, which clang-format reads as part of an expression. */
// clang-format off
static PyTypeObject NativeInterpreterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ember.runtime._native.NativeInterpreter",
    .tp_basicsize = sizeof(NativeInterpreter),
    .tp_dealloc = (destructor)NativeInterpreter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "NativeInterpreter(model, registerers=None): the C runtime over an immutable (read-only buffer) "
              "model; registerers: custom op registration functions (C addresses or callables taking the "
              "resolver's address).",
    .tp_methods = NativeInterpreter_methods,
    .tp_init = (initproc)NativeInterpreter_init,
    .tp_new = PyType_GenericNew,
};
// clang-format on

/* [(name, builtin code, max version, types bit set)] of every kernel (ember_op_registry_entry). */
static PyObject *native_op_registry(PyObject *module, PyObject *unused) {
    const int32_t count = ember_op_registry_count();
    PyObject *list = PyList_New(count);
    int32_t i;
    (void)module;
    (void)unused;
    if (!list)
        return NULL;
    for (i = 0; i < count; ++i) {
        const char *name = "";
        int32_t code = 0, version = 0;
        uint32_t types = 0;
        PyObject *entry;
        ember_op_registry_entry(i, &name, &code, &version, &types);
        entry = Py_BuildValue("(siik)", name, (int)code, (int)version, (unsigned long)types);
        if (!entry) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, entry);
    }
    return list;
}

static PyMethodDef native_functions[] = {
    {"op_registry", native_op_registry, METH_NOARGS,
     "[(name, builtin code, max version, types bit set)] of every kernel of the runtime."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    "ember.runtime._native",
    "CPython binding of the Ember C runtime.",
    -1,
    native_functions,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__native(void) {
    PyObject *module;
    if (PyType_Ready(&NativeInterpreterType) < 0)
        return NULL;
    module = PyModule_Create(&native_module);
    if (!module)
        return NULL;
    RuntimeModelError = PyErr_NewExceptionWithDoc(
        "ember.runtime.RuntimeModelError",
        "The C runtime refused a model or a call; the message is the runtime's, `status` names the status.",
        PyExc_ValueError, NULL);
    if (!RuntimeModelError || PyModule_AddObject(module, "RuntimeModelError", RuntimeModelError) < 0) {
        Py_XDECREF(RuntimeModelError);
        Py_DECREF(module);
        return NULL;
    }
    Py_INCREF(RuntimeModelError); /* the module's reference was stolen; keep ours for raise_status */
    Py_INCREF(&NativeInterpreterType);
    if (PyModule_AddObject(module, "NativeInterpreter", (PyObject *)&NativeInterpreterType) < 0) {
        Py_DECREF(&NativeInterpreterType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
