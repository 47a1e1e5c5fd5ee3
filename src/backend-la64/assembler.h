// A code buffer with labels on top of the table-driven encoder. An instruction that cannot be
// encoded (operand out of range: a code-generator bug), a branch whose label ends up out of reach,
// a label that is branched to but never bound, or a full buffer is recorded as an error instead of
// producing a wrong word; the caller checks ok() once per block.
//
// Reach of the branch forms (byte offsets from the branch instruction):
//   beq/bne/blt/bge/bltu/bgeu      16-bit field   -128 KiB .. +128 KiB - 4
//   beqz/bnez/bceqz/bcnez          21-bit field     -4 MiB ..   +4 MiB - 4
//   b/bl                           26-bit field   -128 MiB .. +128 MiB - 4
//   pcaddu18i + jirl (long jump)   20 + 16 bits   -128 GiB - 128 KiB .. +128 GiB - 128 KiB - 4
#pragma once
#include "backend-la64/encoding.h"

namespace bmbt::la64 {

struct Label {
  // Word index once bound. Below -1 while branches to it are pending: -2 - (the fixup slot of
  // the latest one), the start of a chain through the assembler's fixup table, so that binding
  // visits only this label's branches (and a Label stays one int to construct).
  int pos = -1;
};

// The branch with the opposite condition (beq <-> bne, blt <-> bge, bltu <-> bgeu, beqz <-> bnez,
// bceqz <-> bcnez); Op::kCount for anything else.
Op inverted_branch(Op op);

class Assembler {
 public:
  static constexpr int kMaxFixups = 512;

  // `buffer[0]` executes at `base_address` (only branches to absolute addresses need it); by default
  // the code runs where it is written.
  Assembler(u32* buffer, usize capacity_words)
      : Assembler(buffer, capacity_words, u64(reinterpret_cast<uintptr_t>(buffer))) {}
  Assembler(u32* buffer, usize capacity_words, u64 base_address)
      : buf_(buffer), cap_(capacity_words), base_(base_address) {}

  // Inline where the op is a constant (nearly every call): the compiler reads the op's recipe
  // at compile time and only the operand checks and shifts remain. Other calls share one
  // out-of-line copy per operand signature.
  template <class... A>
  __attribute__((always_inline)) void emit(Op op, A... operands) {
    if constexpr (sizeof...(A) >= 1 && sizeof...(A) <= 4) {
      u32 word;
      if (__builtin_constant_p(op) && detail::encode_fast(op, word, operands...) && pos_ < cap_) {
        buf_[pos_++] = word;
        return;
      }
    }
    emit_out_of_line(op, operands...);
  }

  // emit(ops[k], operands...) for a constant table `ops` (up to 4 entries): each arm sees its op as
  // a constant, so that it is encoded inline like a literal op.
  template <usize N, class... A>
  __attribute__((always_inline)) void emit_one_of(const Op (&ops)[N], usize k, A... operands) {
    static_assert(N >= 1 && N <= 4, "up to four alternatives");
    switch (k) {
      case 0: emit(ops[0], operands...); return;
      case 1: if constexpr (N > 1) { emit(ops[1], operands...); return; } break;
      case 2: if constexpr (N > 2) { emit(ops[2], operands...); return; } break;
      case 3: if constexpr (N > 3) { emit(ops[3], operands...); return; } break;
      default: break;
    }
    fail("no such alternative", ops[0]);
  }

  // A branch (b, bl, beq.., beqz/bnez, bceqz/bcnez) to a label; the offset operand is the last one.
  // A backward target out of reach fails at once, a forward one when the label is bound.
  // Inline like emit(), so that the branch's own encoding sees a constant op.
  template <class... A>
  __attribute__((always_inline)) void branch(Op op, Label& target, A... regs) {
    if (target.pos >= 0) {
      emit(op, regs..., i64(target.pos - int(pos_)) * 4);
      return;
    }
    add_fixup(&target, int(sizeof...(A)), op, detail::patch_field(op, int(sizeof...(A))));
    emit(op, regs..., 0);
  }

  // A forward branch whose target the caller records itself instead of in a label: emitted with
  // offset 0; returns its word index for patch_forward(). For many branches that each land at a
  // known later point (a soft-TLB miss path), this skips a label's bookkeeping.
  template <class... A>
  __attribute__((always_inline)) usize branch_forward(Op op, A... regs) {
    const usize at = pos_;
    emit(op, regs..., 0);
    return at;
  }
  // Points the branch `op` (with `regs` register operands before its offset) that
  // branch_forward() emitted at word `at` to word `to`; an offset out of reach is an error, as
  // for a label. Inline so that a constant op's offset recipe is a constant; the checks are a
  // label fixup's (resolve()), whose slow path handles the rest.
  __attribute__((always_inline)) void patch_forward(usize at, usize to, Op op, int regs) {
    const detail::FastField* field = detail::patch_field(op, regs);
    if (field && !error_ && at < pos_ && buf_) {
      u32 word = buf_[at];
      if (detail::patch_with(*field, word, i64(int(to) - int(at)) * 4)) {
        buf_[at] = word;
        return;
      }
    }
    patch_forward_with(at, to, op, regs, field);
  }

  // A branch that reaches +-128 MiB whatever its condition's own field width: a conditional branch
  // whose target may be out of its reach becomes the inverted branch over a `b` (2 words).  A bound
  // target within the short reach takes the short form (1 word); b/bl are emitted as they are.
  template <class... A>
  void branch_far(Op op, Label& target, A... regs) {
    if (op == Op::B || op == Op::BL) { branch(op, target); return; }
    const Op inv = inverted_branch(op);
    if (inv == Op::kCount) { fail("branch_far needs a branch instruction", op); return; }
    if (target.pos >= 0 && imm_fits(op, int(sizeof...(A)), i64(target.pos - int(pos_)) * 4)) {
      branch(op, target, regs...);
      return;
    }
    emit(inv, regs..., 8);
    branch(Op::B, target);
  }

  // pcaddu18i scratch, hi20 ; jirl $zero|$ra, scratch, lo16 -- reaches +-128 GiB (2 words).
  void jump_long(Label& target, Gpr scratch) { long_pair(target, scratch, false); }
  void call_long(Label& target, Gpr scratch) { long_pair(target, scratch, true); }

  // Jumps/calls to an absolute address in the fewest words: b/bl within +-128 MiB, else
  // pcaddu18i + jirl through `scratch`, else the address materialised in `scratch` + jirl.
  void jump_to(u64 address, Gpr scratch) { to_address(address, scratch, false); }
  void call_to(u64 address, Gpr scratch) { to_address(address, scratch, true); }

  // Inline: most labels (a miss path's resume point, an exit) have no pending branch.
  void bind(Label& l) {
    if (l.pos < -1) bind_pending(l);
    else l.pos = int(pos_);
  }
  // Any 64-bit constant in the fewest instructions. Inline for the short ones (most constants).
  void li(Gpr rd, u64 value) {
    if (cap_ - pos_ >= 2) {
      if (const int n = detail::materialize_short(rd, value, buf_ + pos_)) {
        pos_ += usize(n);
        return;
      }
    }
    li_long(rd, value);
  }
  void move(Gpr rd, Gpr rs) { if (rd.n != rs.n) emit(Op::OR, rd, rs, kZeroReg); }
  // `count` nops (alignment, or distance in tests).
  void pad(usize count);

  usize size() const { return pos_; }
  u32* words() const { return buf_; }
  u64 address_of(usize word_index) const { return base_ + u64(word_index) * 4; }
  // Branches still waiting for their label; ok() is false while any remain.
  int unresolved() const { return nfix_; }
  bool ok() const { return error_ == nullptr && nfix_ == 0; }
  const char* error() const {
    return error_ ? error_ : nfix_ ? "branch to a label that is never bound" : nullptr;
  }
  Op error_op() const { return error_ ? error_op_ : nfix_ ? oldest_fixup_op() : Op::kCount; }
  bool overflowed() const { return overflow_; }
  // Patches the offset of an already emitted branch at `at` to target `to` (word indices).
  bool patch_branch(usize at, usize to);

 private:
  static constexpr Gpr kZeroReg{0};
  static constexpr Gpr kRaReg{1};
  static constexpr u8 kLongPair = 0xff;  // Fixup::operand of a pcaddu18i + jirl pair
  // A pending branch; `label` is nullptr once resolved (the slot is then on the free list).
  // `link`: the same label's previous pending branch while pending, the next free slot after.
  // `field`: the offset's recipe (detail::patch_field), nullptr to patch through set_operand().
  struct Fixup { Label* label; const detail::FastField* field; int at; u8 operand; Op op; int link; u32 seq; };
  // Inline: it runs for every emitted word; put_slow records why a word was not written.
  void put(const Encoded& e, Op op) {
    if (e.ok && pos_ < cap_) {
      buf_[pos_++] = e.word;
      return;
    }
    put_slow(e, op);
  }
  void put_slow(const Encoded& e, Op op);
  template <class... A>
  __attribute__((noinline)) void emit_out_of_line(Op op, A... operands) { put(enc(op, operands...), op); }
  void fail(const char* why, Op op) { if (!error_) { error_ = why; error_op_ = op; } }
  void add_fixup(Label* l, int operand, Op op, const detail::FastField* field);
  void patch_forward_with(usize at, usize to, Op op, int regs, const detail::FastField* field);
  Op oldest_fixup_op() const;
  void bind_pending(Label& l);
  void li_long(Gpr rd, u64 value);
  void settle(int slot, const Label& l);  // resolves the pending branch in `slot` if it targets l
  void resolve(const Fixup& f, int target);
  void resolve_slow(const Fixup& f, int target);
  // Emits pcaddu18i + jirl spanning `byte_offset` from the pcaddu18i.
  void emit_pair(i64 byte_offset, Gpr scratch, bool link);
  void long_pair(Label& target, Gpr scratch, bool link);
  void to_address(u64 address, Gpr scratch, bool link);

  u32* buf_;
  usize cap_;
  u64 base_;
  usize pos_ = 0;
  Fixup fixups_[kMaxFixups];
  int nfix_ = 0;         // pending branches
  int slots_used_ = 0;   // fixups_[0, slots_used_) have been used
  int free_slot_ = -1;   // resolved slots, linked through Fixup::link
  u32 fixup_seq_ = 0;
  const char* error_ = nullptr;
  Op error_op_ = Op::kCount;
  bool overflow_ = false;
};

}  // namespace bmbt::la64
