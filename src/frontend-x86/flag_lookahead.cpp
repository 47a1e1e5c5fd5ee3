#include "frontend-x86/flag_lookahead.h"

namespace bmbt::x86 {

namespace {

using ir::kArithFlags;
// Look-ahead budget: most blocks overwrite all flags within a few instructions; every decoded
// instruction here is translation time, so the scan stays short.
constexpr int kMaxScan = 12;

// Results are remembered (Decoder::LookaheadMemo): the same code is scanned again for every
// block that continues to it (a callee from each call site). A result depends on nothing but the
// bytes its scan fetched, so it is reused only after fetching them again and finding them the
// same: rewritten code, or code that became readable or unreadable, is scanned afresh. Checking
// a fetch is much cheaper than decoding it (even from the decoder's caches).
using Memo = Decoder::LookaheadMemo;
static_assert(Memo::kMaxFetches >= 3 * kMaxScan, "a scan, and the two scans of a jcc's successors");

enum FetchKind : u8 {
  kDecoded,      // the instruction's `n` bytes decode (whatever follows them)
  kUndecodable,  // the `n` bytes the fetch returned do not form an instruction
  kUnfetchable,  // the fetch returned nothing
};

// Where a scan records its fetches (those of the scans it starts too): the memo entry it will fill.
struct Fetches {
  Memo::Entry* entry;
  bool overflow = false;

  void add(u64 pc, const u8* bytes, int n, FetchKind kind) {
    if (entry->count == Memo::kMaxFetches) {
      overflow = true;
      return;
    }
    Memo::Fetch& x = entry->fetches[entry->count++];
    x.pc = pc;
    x.n = i8(n);
    x.kind = kind;
    __builtin_memcpy(x.bytes, bytes, sizeof(x.bytes));
  }
};

// Whether the fetch `x` would give the same answer now.
bool fetches_the_same(CodeSource& code, const Memo::Fetch& x) {
  u8 now[ZYDIS_MAX_INSTRUCTION_LENGTH];
  const int avail = code.fetch(x.pc, now, ZYDIS_MAX_INSTRUCTION_LENGTH);
  switch (x.kind) {
    case kUnfetchable: return avail <= 0;
    case kUndecodable: if (avail != x.n) return false; break;
    default: if (avail < x.n) return false; break;
  }
  for (int i = 0; i < x.n; ++i)
    if (now[i] != x.bytes[i]) return false;
  return true;
}

Memo::Entry& memo_entry(const Decoder& dec, u64 pc) {
  return dec.lookahead_memo().entries[usize((pc * 0x9e3779b97f4a7c15ull) >> 40) & (Memo::kEntries - 1)];
}

// The scan itself; every fetch it makes goes to `seen`.
u8 scan(const Decoder& dec, CodeSource& code, u64 pc, u8 wanted, int depth, Fetches& seen) {
  // Flags outside `wanted` count as settled from the start: the scan ends as soon as every flag
  // the caller still asks about is known, and the result keeps only those.
  u8 live = 0, killed = u8(kArithFlags & ~wanted);
  for (int n = 0; n < kMaxScan; ++n) {
    u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    int avail = code.fetch(pc, bytes, ZYDIS_MAX_INSTRUCTION_LENGTH);
    // Flags and branch targets need no operand decoding. The decoder remembers the instruction
    // half, which the translation of these blocks (usually next) then reuses. `insn` lives in
    // the decoder's memory: it is read before the recursive calls below, never after.
    const ZydisDecodedInstruction* decoded = avail > 0 ? dec.decode_instruction(bytes, usize(avail), pc) : nullptr;
    if (!decoded) {
      seen.add(pc, bytes, avail > 0 ? avail : 0, avail > 0 ? kUndecodable : kUnfetchable);
      return u8(live | (kArithFlags & ~killed));
    }
    const ZydisDecodedInstruction& insn = *decoded;
    seen.add(pc, bytes, insn.length, kDecoded);
    const ZydisAccessedFlags* f = insn.cpu_flags;
    if (f) {
      live |= u8(to_ir_flags(f->tested) & ~killed);
      // Only flags the instruction defines count as written: where the SDM says "undefined",
      // BMBT may leave the old value, so it must still be correct.
      killed |= to_ir_flags(f->modified | f->set_0 | f->set_1);
    }
    if ((killed | live) == kArithFlags) return live;
    const u64 next = pc + insn.length;
    u64 target = 0;
    const bool relative = relative_target(insn, next, &target);
    switch (insn.meta.category) {
      case ZYDIS_CATEGORY_UNCOND_BR:
      case ZYDIS_CATEGORY_CALL:  // a direct call continues in the callee
        if (!relative) return u8(live | (kArithFlags & ~killed));
        pc = target;
        continue;
      case ZYDIS_CATEGORY_COND_BR: {
        if (!relative || depth <= 0) return u8(live | (kArithFlags & ~killed));
        // Only flags neither read nor written yet depend on the branches, and the second branch
        // only matters for those the first does not read.
        const u8 open = u8(kArithFlags & ~(killed | live));
        const u8 first = scan(dec, code, next, open, depth - 1, seen);
        const u8 second = first == open ? 0 : scan(dec, code, target, u8(open & ~first), depth - 1, seen);
        return u8(live | first | second);
      }
      case ZYDIS_CATEGORY_RET: case ZYDIS_CATEGORY_INTERRUPT:
      case ZYDIS_CATEGORY_SYSCALL: case ZYDIS_CATEGORY_SYSRET: case ZYDIS_CATEGORY_SYSTEM:
        // Unknown continuation (or one that may inspect RFLAGS): everything not yet written is live.
        return u8(live | (kArithFlags & ~killed));
      default:
        pc = next;
        break;
    }
  }
  return u8(live | (kArithFlags & ~killed));
}

// Whether `e` holds the answer for this question and its fetches still give the same bytes.
bool still_valid(CodeSource& code, const Memo::Entry& e, u64 pc, u8 wanted, int depth) {
  if (!e.valid || e.pc != pc || e.wanted != wanted || e.depth != u8(depth)) return false;
  for (int i = 0; i < e.count; ++i)
    if (!fetches_the_same(code, e.fetches[i])) return false;
  return true;
}

}  // namespace

bool relative_target(const ZydisDecodedInstruction& insn, u64 next, u64* target) {
  if (!(insn.attributes & ZYDIS_ATTRIB_IS_RELATIVE) || insn.raw.imm[0].size == 0) return false;
  *target = next + u64(insn.raw.imm[0].value.s);
  return true;
}

u8 flags_read_before_written(const Decoder& dec, CodeSource& code, u64 pc, u8 wanted, int depth) {
  Memo::Entry& e = memo_entry(dec, pc);
  if (still_valid(code, e, pc, wanted, depth)) {
    ++dec.lookahead_memo().hits;
    return e.result;
  }
  // The scan records its fetches straight into the entry (scans of a jcc's successors included).
  e.valid = false;
  e.count = 0;
  Fetches seen{&e};
  const u8 result = scan(dec, code, pc, wanted, depth, seen);
  e.pc = pc;
  e.wanted = wanted;
  e.depth = u8(depth);
  e.result = result;
  e.valid = !seen.overflow && depth >= 0 && depth < 256;
  return result;
}

u8 flags_read_on_either(const Decoder& dec, CodeSource& code, u64 first, u64 second) {
  const u8 live = flags_read_before_written(dec, code, first);
  return live == kArithFlags ? live : u8(live | flags_read_before_written(dec, code, second, u8(kArithFlags & ~live)));
}

u8 live_out_flags(const Decoder& dec, CodeSource& code, const ir::Block& block) {
  if (block.live_out_flags_known) return block.live_out_flags;
  const ir::Terminator& t = block.term;
  switch (t.kind) {
    case ir::TermKind::kJump: return flags_read_before_written(dec, code, t.target);
    case ir::TermKind::kBranch: return flags_read_on_either(dec, code, t.target, t.fallthrough);
    default: return kArithFlags;
  }
}

}  // namespace bmbt::x86
