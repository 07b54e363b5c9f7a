// The demo app: a digit drawing pad and a benchmark screen. Needs the Android SDK (platform 34, build-tools),
// NDK 26.3.11579264 and CMake 3.22.1 from the SDK manager; see the README's "Android" section.
plugins {
    id("com.android.application")
}

android {
    namespace = "ai.ember.demo"
    compileSdk = 34
    ndkVersion = "26.3.11579264"

    defaultConfig {
        applicationId = "ai.ember.demo"
        minSdk = 24
        targetSdk = 34
        versionCode = 1
        versionName = "0.1.0"
        ndk {
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
        externalNativeBuild {
            cmake {
                // A newer NDK may add warnings; the host CI builds the same sources with -Werror.
                arguments += listOf("-DEMBER_WERROR=OFF", "-DCMAKE_BUILD_TYPE=Release")
            }
        }
    }

    // edge_runtime and the JNI bridge: the library module's CMakeLists.txt, which add_subdirectory()s
    // ../../../../../edge_runtime (the runtime's own targets, no copied sources).
    externalNativeBuild {
        cmake {
            path = file("../ember/src/main/cpp/CMakeLists.txt")
            version = "3.22.1"
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }

    // Models are memory-mapped from the APK (AssetManager.openFd), which needs them stored uncompressed.
    androidResources {
        noCompress += "tflite"
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }
}

dependencies {
    implementation(project(":ember"))
}
