# Cross build for 64-bit ARM Linux (Raspberry Pi 4/5, Jetson, most SBCs), static so that the binaries run on a
# board, under qemu-aarch64 or via `adb shell` without a matching libc:
#   cmake -S edge_runtime -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=edge_runtime/cmake/aarch64-linux-gnu.cmake
# Needs gcc-aarch64-linux-gnu and libc6-dev-arm64-cross (Debian/Ubuntu). Android: see README (the NDK's own
# toolchain file).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(EMBER_STATIC ON CACHE BOOL "Link executables statically" FORCE)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static CACHE STRING "Runs the tests on the build machine")
