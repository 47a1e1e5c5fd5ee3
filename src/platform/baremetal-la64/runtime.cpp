// The C runtime functions that the compiler, Zydis and libfdt expect on bare metal.
#include "support/types.h"

using bmbt::u64;
using bmbt::usize;

extern "C" {

void* memcpy(void* dst, const void* src, usize n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  if (((reinterpret_cast<usize>(d) | reinterpret_cast<usize>(s)) & 7) == 0) {
    for (; n >= 8; n -= 8, d += 8, s += 8) *reinterpret_cast<u64*>(d) = *reinterpret_cast<const u64*>(s);
  }
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, usize n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

// Word stores for the bulk: guest RAM and caches are zeroed with it (hundreds of MiB).
void* memset(void* dst, int c, usize n) {
  auto* d = static_cast<unsigned char*>(dst);
  while (n && (reinterpret_cast<usize>(d) & 7)) {
    *d++ = static_cast<unsigned char>(c);
    --n;
  }
  u64 word = 0x0101010101010101ull * static_cast<unsigned char>(c);
  for (; n >= 32; n -= 32, d += 32) {
    auto* w = reinterpret_cast<volatile u64*>(d);  // volatile: not turned back into a memset call
    w[0] = word;
    w[1] = word;
    w[2] = word;
    w[3] = word;
  }
  while (n--) *d++ = static_cast<unsigned char>(c);
  return dst;
}

int memcmp(const void* a, const void* b, usize n) {
  auto* x = static_cast<const unsigned char*>(a);
  auto* y = static_cast<const unsigned char*>(b);
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

void* memchr(const void* s, int c, usize n) {
  auto* p = static_cast<const unsigned char*>(s);
  for (; n; --n, ++p)
    if (*p == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p);
  return nullptr;
}

usize strlen(const char* s) {
  usize n = 0;
  while (s[n]) ++n;
  return n;
}

usize strnlen(const char* s, usize max) {
  usize n = 0;
  while (n < max && s[n]) ++n;
  return n;
}

char* strchr(const char* s, int c) {
  for (;; ++s) {
    if (*s == static_cast<char>(c)) return const_cast<char*>(s);
    if (!*s) return nullptr;
  }
}

char* strrchr(const char* s, int c) {
  const char* last = nullptr;
  for (;; ++s) {
    if (*s == static_cast<char>(c)) last = s;
    if (!*s) return const_cast<char*>(last);
  }
}

// libfdt.a was built with the stack protector.
unsigned long __stack_chk_guard = 0x595e9fbd94fda766ul;
[[noreturn]] void bmbt_stack_smashed();
[[noreturn]] void __stack_chk_fail() { bmbt_stack_smashed(); }

// Called if a pure virtual function is ever invoked (a bug): stop rather than run garbage.
[[noreturn]] void bmbt_pure_virtual_called();
void __cxa_pure_virtual() { bmbt_pure_virtual_called(); }

}  // extern "C"
