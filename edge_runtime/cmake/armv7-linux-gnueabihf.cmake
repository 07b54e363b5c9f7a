# Cross build for 32-bit ARMv7-A Linux with hardware float and NEON (Raspberry Pi 2/3 in 32-bit mode, older
# phones and boards), static:
#   cmake -S edge_runtime -B build-armv7 -DCMAKE_TOOLCHAIN_FILE=edge_runtime/cmake/armv7-linux-gnueabihf.cmake
# Needs gcc-arm-linux-gnueabihf and libc6-dev-armhf-cross (Debian/Ubuntu).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7-a)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(EMBER_STATIC ON CACHE BOOL "Link executables statically" FORCE)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm-static CACHE STRING "Runs the tests on the build machine")
