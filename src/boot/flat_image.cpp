#include "boot/flat_image.h"

namespace bmbt::boot {

ImageKind classify_image(const u8* data, usize size) {
  if (size >= 0x206 && data[0x202] == 'H' && data[0x203] == 'd' && data[0x204] == 'r' && data[0x205] == 'S')
    return ImageKind::kLinuxBzImage;
  if (size >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F') return ImageKind::kElf;
  return ImageKind::kFlat;
}

bool load_flat_image(devices::Machine& m, const u8* data, usize size, u64* entry, TextBuf& err) {
  switch (classify_image(data, size)) {
    case ImageKind::kLinuxBzImage:
      err.str("this is a Linux bzImage; booting Linux is not implemented yet (only flat demo images run)");
      return false;
    case ImageKind::kElf:
      err.str("this is an ELF file; ELF/vmlinux guests are not implemented yet (only flat demo images run)");
      return false;
    case ImageKind::kFlat: break;
  }
  if (size == 0) {
    err.str("the image is empty");
    return false;
  }
  u8* dst = m.memory.ram_ptr(kFlatImageLoadAddress, size);
  if (!dst) {
    err.str("the image (").udec(size).str(" bytes at ").hex0x(kFlatImageLoadAddress).str(") does not fit in guest RAM of ")
        .udec(m.memory.ram_size() >> 20).str(" MiB");
    return false;
  }
  __builtin_memcpy(dst, data, size);
  *entry = kFlatImageLoadAddress;
  return true;
}

}  // namespace bmbt::boot
