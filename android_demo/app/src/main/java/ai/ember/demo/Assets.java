package ai.ember.demo;

import android.content.res.AssetFileDescriptor;
import android.content.res.AssetManager;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Models bundled in app/src/main/assets, mapped straight from the APK (stored uncompressed: build.gradle.kts). */
final class Assets {
    private Assets() {}

    /** A read-only mapping of the asset: the runtime reads its weights in place, nothing is copied. */
    static MappedByteBuffer map(AssetManager assets, String name) throws IOException {
        AssetFileDescriptor fd = assets.openFd(name);
        try (FileInputStream stream = new FileInputStream(fd.getFileDescriptor());
                FileChannel channel = stream.getChannel()) {
            return channel.map(FileChannel.MapMode.READ_ONLY, fd.getStartOffset(), fd.getDeclaredLength());
        } finally {
            fd.close();
        }
    }

    /** Names of the bundled .tflite files, sorted. */
    static List<String> models(AssetManager assets) throws IOException {
        List<String> names = new ArrayList<>();
        String[] all = assets.list("");
        if (all != null) {
            Arrays.sort(all);
            for (String name : all) {
                if (name.endsWith(".tflite")) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
