// TextBuf: a fixed-capacity text buffer with formatting helpers, usable without libc.
// Appending past the capacity never writes out of bounds; the buffer records that it was
// truncated so callers can report it instead of silently printing a cut line.
#pragma once
#include "support/types.h"

namespace bmbt {

class TextBuf {
 public:
  TextBuf(char* storage, usize capacity) : buf_(storage), cap_(capacity) { clear(); }

  void clear() { len_ = 0; truncated_ = false; if (cap_) buf_[0] = 0; }
  const char* c_str() const { return buf_; }
  usize size() const { return len_; }
  bool truncated() const { return truncated_; }

  TextBuf& ch(char c);
  TextBuf& str(const char* s);
  TextBuf& str(const char* s, usize n);
  TextBuf& dec(i64 v);
  TextBuf& udec(u64 v);
  // Hex without prefix; min_digits pads with zeros.
  TextBuf& hex(u64 v, int min_digits = 1);
  // "0x" + hex
  TextBuf& hex0x(u64 v, int min_digits = 1) { str("0x"); return hex(v, min_digits); }
  // Pad with spaces up to column `col` (at least one space if already past it when force_one).
  TextBuf& pad_to(usize col, bool force_one = true);

 private:
  char* buf_;
  usize cap_;
  usize len_ = 0;
  bool truncated_ = false;
};

// A TextBuf with its own storage.
template <usize N>
class FixedText : public TextBuf {
 public:
  FixedText() : TextBuf(storage_, N) {}
 private:
  char storage_[N];
};

}  // namespace bmbt
