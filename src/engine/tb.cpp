#include "engine/tb.h"

namespace bmbt::engine {

TranslationBlock* TbCache::lookup(u64 pc) {
  TranslationBlock* tb = jump_cache_[jc_index(pc)];
  if (tb && tb->guest_pc == pc) return tb;
  for (tb = heads_[hash(pc)]; tb; tb = tb->hash_next) {
    if (tb->guest_pc == pc) {
      jump_cache_[jc_index(pc)] = tb;
      return tb;
    }
  }
  return nullptr;
}

TranslationBlock* TbCache::allocate(u64 pc) {
  if (used_ >= kMaxBlocks) return nullptr;
  TranslationBlock* tb = &blocks_[used_++];
  *tb = TranslationBlock{};
  tb->guest_pc = pc;
  return tb;
}

void TbCache::insert(TranslationBlock* tb) {
  u32 h = hash(tb->guest_pc);
  tb->hash_next = heads_[h];
  heads_[h] = tb;
  jump_cache_[jc_index(tb->guest_pc)] = tb;
}

void TbCache::remove(TranslationBlock* tb) {
  tb->invalid = true;
  for (TranslationBlock** p = &heads_[hash(tb->guest_pc)]; *p; p = &(*p)->hash_next) {
    if (*p == tb) { *p = tb->hash_next; break; }
  }
  if (jump_cache_[jc_index(tb->guest_pc)] == tb) jump_cache_[jc_index(tb->guest_pc)] = nullptr;
}

void TbCache::flush() {
  for (auto& h : heads_) h = nullptr;
  for (auto& j : jump_cache_) j = nullptr;
  used_ = 0;
  ++flushes_;
}

}  // namespace bmbt::engine
