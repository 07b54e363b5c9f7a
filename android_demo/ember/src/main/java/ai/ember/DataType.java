package ai.ember;

/** Element types of tensors, with the TensorFlow Lite TensorType numbers the runtime reports. */
public enum DataType {
    FLOAT32(0, 4),
    INT32(2, 4),
    INT64(4, 8),
    INT8(9, 1);

    private final int code;
    private final int byteSize;

    DataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** Bytes of one element. */
    public int byteSize() {
        return byteSize;
    }

    static DataType fromCode(int code) {
        for (DataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("tensor type " + code + " is not one of FLOAT32, INT32, INT64, INT8");
    }
}
