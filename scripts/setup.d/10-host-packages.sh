# Host toolchain and libraries from bookworm.
apt_install_missing ca-certificates xz-utils zstd python3 file \
  clang-19 lld-19 llvm-19 cmake ninja-build \
  libzydis-dev libcapstone-dev libfdt-dev doctest-dev device-tree-compiler \
  valgrind hyperfine mtools dosfstools cpio busybox-static qemu-system-x86
