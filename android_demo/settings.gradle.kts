// Ember Android demo: the ai.ember Java library (pure Java, runs on any JVM) and the app that bundles it with
// libember_jni (edge_runtime + the JNI bridge, built by CMake through externalNativeBuild).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "ember-android-demo"
include(":ember", ":app")
