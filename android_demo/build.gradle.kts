// Android Gradle Plugin 8.5 (needs Gradle 8.7, see gradle/wrapper/gradle-wrapper.properties, and JDK 17).
plugins {
    id("com.android.application") version "8.5.2" apply false
}
