package android.text;

public interface InputType {
    int TYPE_CLASS_NUMBER = 0x00000002;
    int TYPE_NUMBER_FLAG_SIGNED = 0x00001000;
}
