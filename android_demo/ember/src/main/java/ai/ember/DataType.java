package ai.ember;

/** Element types of tensors, with the TensorFlow Lite TensorType numbers the runtime reports. */
public enum DataType {
    FLOAT32(0, 4),
    FLOAT16(1, 2),
    INT32(2, 4),
    UINT8(3, 1),
    INT64(4, 8),
    BOOL(6, 1),
    INT16(7, 2),
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
        throw new IllegalArgumentException("tensor type " + code + " is not one of FLOAT32, FLOAT16, INT32, UINT8, INT64, BOOL, INT16, INT8");
    }
}
