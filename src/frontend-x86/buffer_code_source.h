// Guest code held in a host buffer (test inputs, offline translation by bmbt-trace): the bytes
// are the guest's memory from `base` on, nothing else is fetchable.
#pragma once
#include "frontend-x86/translator.h"

namespace bmbt::x86 {

class BufferCodeSource final : public CodeSource {
 public:
  BufferCodeSource(const u8* bytes, usize size, u64 base) : bytes_(bytes), size_(size), base_(base) {}
  int fetch(u64 pc, u8* out, int max) override {
    if (pc < base_ || pc - base_ >= size_) return 0;
    const usize off = usize(pc - base_);
    const usize n = size_ - off < usize(max) ? size_ - off : usize(max);
    // The decoders always ask for one longest instruction: a fixed-size copy the compiler
    // inlines, instead of a library call for a few bytes.
    if (n == kInsnMax) {
      __builtin_memcpy(out, bytes_ + off, kInsnMax);
      return int(kInsnMax);
    }
    __builtin_memcpy(out, bytes_ + off, n);
    return int(n);
  }

 private:
  static constexpr usize kInsnMax = ZYDIS_MAX_INSTRUCTION_LENGTH;
  const u8* bytes_;
  usize size_;
  u64 base_;
};

}  // namespace bmbt::x86
