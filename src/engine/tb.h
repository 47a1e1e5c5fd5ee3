// Translation blocks and their lookup: a hash on the guest PC (guest-physical once paging
// exists: today virtual == physical) plus a direct-mapped jump cache consulted first.
#pragma once
#include "ir/ir.h"

namespace bmbt::engine {

struct TranslationBlock {
  u64 guest_pc;
  u32 guest_insns;
  u32 guest_bytes;
  // Backend-owned: host code (JIT) or the stored IR (interpreter).
  const void* code;
  u32 code_size;       // bytes of host code, or IR instructions
  ir::Terminator term; // kept for the interpreter and for traces
  TranslationBlock* hash_next;
  u64 executions;
  bool invalid;        // its guest code changed: no longer found by lookup()
};

class TbCache {
 public:
  static constexpr int kMaxBlocks = 1 << 16;
  static constexpr int kHashBits = 15;
  static constexpr int kJumpCacheBits = 12;

  TranslationBlock* lookup(u64 pc);
  // A fresh block for `pc`, or nullptr when the pool is full (the caller flushes everything).
  TranslationBlock* allocate(u64 pc);
  // Gives back the block allocate() just returned (its translation was abandoned).
  void release_last(TranslationBlock* tb) { if (used_ > 0 && tb == &blocks_[used_ - 1]) --used_; }
  // Makes a filled-in block visible to lookup().
  void insert(TranslationBlock* tb);
  void flush();
  // Every live block with guest code on the 4 KiB page holding `paddr` (virtual == physical
  // today): removed from lookup and passed to on_block. Returns how many.
  template <class F>
  int invalidate_page(u64 paddr, F on_block) {
    const u64 page = paddr >> 12;
    int n = 0;
    for (int i = 0; i < used_; ++i) {
      TranslationBlock& tb = blocks_[i];
      const u64 last = tb.guest_pc + (tb.guest_bytes ? tb.guest_bytes - 1 : 0);
      if (tb.invalid || (tb.guest_pc >> 12) > page || (last >> 12) < page) continue;
      remove(&tb);
      on_block(tb);
      ++n;
    }
    return n;
  }
  int size() const { return used_; }
  u64 flushes() const { return flushes_; }

 private:
  void remove(TranslationBlock* tb);
  static u32 hash(u64 pc) { return u32((pc ^ (pc >> kHashBits)) & ((1u << kHashBits) - 1)); }
  static u32 jc_index(u64 pc) { return u32(pc & ((1u << kJumpCacheBits) - 1)); }

  TranslationBlock blocks_[kMaxBlocks];
  TranslationBlock* heads_[1 << kHashBits] = {};
  TranslationBlock* jump_cache_[1 << kJumpCacheBits] = {};
  int used_ = 0;
  u64 flushes_ = 0;
};

}  // namespace bmbt::engine
