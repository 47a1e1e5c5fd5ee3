// Test helper: translate x86 machine code given as bytes (at guest address 0x1000).
#pragma once
#include <cstring>
#include <vector>

#include "frontend-x86/translator.h"

namespace bmbt::test {

class ByteSource final : public x86::CodeSource {
 public:
  ByteSource(std::vector<u8> bytes, u64 base) : bytes_(std::move(bytes)), base_(base) {}
  int fetch(u64 pc, u8* out, int max) override {
    if (pc < base_ || pc - base_ >= bytes_.size()) return 0;
    usize off = usize(pc - base_);
    int n = int(std::min<usize>(usize(max), bytes_.size() - off));
    std::memcpy(out, bytes_.data() + off, usize(n));
    return n;
  }

 private:
  std::vector<u8> bytes_;
  u64 base_;
};

inline bool translate(std::vector<u8> bytes, ir::Block& block, u64 base = 0x1000, int max_insns = 64) {
  static x86::Decoder decoder;
  ByteSource src(std::move(bytes), base);
  x86::TranslateLimits limits;
  limits.max_insns = max_insns;
  return x86::translate_block(decoder, src, base, block, limits, nullptr);
}

inline int count_ops(const ir::Block& b, ir::Op op) {
  int n = 0;
  for (int i = 0; i < b.size(); ++i) n += b[i].op == op;
  return n;
}

}  // namespace bmbt::test
