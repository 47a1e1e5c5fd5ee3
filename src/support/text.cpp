#include "support/text.h"

namespace bmbt {

TextBuf& TextBuf::ch(char c) {
  if (cap_ == 0) { truncated_ = true; return *this; }
  if (len_ + 1 < cap_) {
    buf_[len_++] = c;
    buf_[len_] = 0;
  } else {
    truncated_ = true;
  }
  return *this;
}

TextBuf& TextBuf::str(const char* s) {
  while (*s) ch(*s++);
  return *this;
}

TextBuf& TextBuf::str(const char* s, usize n) {
  for (usize i = 0; i < n && s[i]; ++i) ch(s[i]);
  return *this;
}

TextBuf& TextBuf::udec(u64 v) {
  char tmp[24];
  int n = 0;
  do { tmp[n++] = char('0' + v % 10); v /= 10; } while (v);
  while (n) ch(tmp[--n]);
  return *this;
}

TextBuf& TextBuf::dec(i64 v) {
  if (v < 0) { ch('-'); return udec(u64(0) - u64(v)); }
  return udec(u64(v));
}

TextBuf& TextBuf::hex(u64 v, int min_digits) {
  char tmp[16];
  int n = 0;
  do { tmp[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
  while (n < min_digits && n < 16) tmp[n++] = '0';
  while (n) ch(tmp[--n]);
  return *this;
}

TextBuf& TextBuf::pad_to(usize col, bool force_one) {
  if (len_ >= col && force_one) return ch(' ');
  while (len_ < col) ch(' ');
  return *this;
}

}  // namespace bmbt
