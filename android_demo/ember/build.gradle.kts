// ai.ember: the Java API (no android.* imports). Java 8 language and library level, what minSdk 24 runs.
// The native half, libember_jni.so, is built by the app (or any app using this module) from src/main/cpp.
plugins {
    `java-library`
}

tasks.withType<JavaCompile>().configureEach {
    options.release.set(8)
    options.encoding = "UTF-8"
    options.compilerArgs.addAll(listOf("-Xlint:all,-options", "-Werror"))
}
