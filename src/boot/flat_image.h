// Loading guest images into guest RAM. Today: the flat-binary format of the demo guests
// (docs/guest-image-format.md). Linux images are recognised and refused with a clear message
// until the Linux boot issue lands.
#pragma once
#include "devices/machine.h"
#include "support/text.h"

namespace bmbt::boot {

constexpr u64 kFlatImageLoadAddress = 0x100000;

enum class ImageKind : u8 { kFlat, kLinuxBzImage, kElf };
ImageKind classify_image(const u8* data, usize size);

// Copies the image to guest-physical kFlatImageLoadAddress and reports its entry point.
// False (with a message naming the problem) if it does not fit in guest RAM or is not a flat image.
bool load_flat_image(devices::Machine& m, const u8* data, usize size, u64* entry, TextBuf& err);

}  // namespace bmbt::boot
