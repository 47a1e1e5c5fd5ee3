// Test helper: translate x86 machine code given as bytes (at guest address 0x1000).
#pragma once
#include <vector>

#include "frontend-x86/buffer_code_source.h"

namespace bmbt::test {

// `flag_groups`: translate for the LBT flag strategy (ir/flag_groups.h). `flag_plan`: emit only
// live flags (frontend-x86/flag_plan.h); tests of the IR passes turn it off to see them work.
inline bool translate(std::vector<u8> bytes, ir::Block& block, u64 base = 0x1000, int max_insns = 64,
                      bool flag_groups = false, bool flag_plan = true) {
  static x86::Decoder decoder;
  x86::BufferCodeSource src(bytes.data(), bytes.size(), base);
  x86::TranslateLimits limits;
  limits.max_insns = max_insns;
  limits.flag_groups = flag_groups;
  limits.flag_plan = flag_plan;
  return x86::translate_block(decoder, src, base, block, limits, nullptr);
}

inline int count_ops(const ir::Block& b, ir::Op op) {
  int n = 0;
  for (int i = 0; i < b.size(); ++i) n += b[i].op == op;
  return n;
}

}  // namespace bmbt::test
