#include "ir/flag_groups.h"

namespace bmbt::ir {

const char* flag_group_name(FlagGroupKind k) {
  static const char* const kNames[] = {"add", "sub", "adc", "sbb", "and", "or",  "xor", "inc", "dec",
                                       "shl", "shr", "sar", "rol", "ror", "rcl", "rcr", "imul", "mul"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == usize(FlagGroupKind::kCount), "one name per kind");
  return u8(k) < u8(FlagGroupKind::kCount) ? kNames[u8(k)] : "?";
}

u8 flag_group_reads(const Block& b, const Inst& in) {
  const FlagGroupKind k = flag_group_kind(in.imm);
  u8 reads = 0;
  if (k == FlagGroupKind::kAdc || k == FlagGroupKind::kSbb || k == FlagGroupKind::kRcl || k == FlagGroupKind::kRcr)
    reads |= kFlagCF;
  if (flag_group_is_shift(k)) {
    const Inst& count = b[in.args[1]];
    const u64 mask = bit_width(b[in.args[0]].type) == 64 ? 63 : 31;
    const bool surely_nonzero = count.op == Op::Const && (count.imm & mask) != 0;
    if (!surely_nonzero) reads |= flag_group_mask(in.imm);
  }
  return reads;
}

int fuse_flag_groups(Block& b, bool* drop) {
  // The flag writes of the current guest instruction so far (an instruction has a few; a longer
  // list falls back to scanning the instruction).
  constexpr int kMaxListed = 16;
  u16 writes[kMaxListed];
  int nwrites = 0, insn_start = 0, replaced = 0;
  for (int i = 0; i < b.size(); ++i) {
    drop[i] = false;
    Inst& in = b[i];
    if (in.op == Op::InsnStart) {
      insn_start = i;
      nwrites = 0;
      continue;
    }
    if (in.op == Op::SetFlag) {
      if (nwrites < kMaxListed) writes[nwrites] = u16(i);
      ++nwrites;
      continue;
    }
    if (in.op != Op::FlagGroup) continue;
    const u8 claimable = flag_group_mask(in.imm);
    u8 taken = 0;
    auto take = [&](int j) {
      const Inst& w = b[j];
      if (w.op == Op::SetFlag && !drop[j] && ((claimable >> w.imm) & 1)) {
        drop[j] = true;
        taken |= u8(1 << w.imm);
        ++replaced;
      }
    };
    if (nwrites <= kMaxListed) {
      for (int k = 0; k < nwrites; ++k) take(writes[k]);
    } else {
      for (int j = insn_start; j < i; ++j) take(j);
    }
    if (taken) in.imm = pack_flag_group(flag_group_kind(in.imm), taken);
    else drop[i] = true;
  }
  return replaced;
}

}  // namespace bmbt::ir
