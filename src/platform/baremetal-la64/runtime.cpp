// The few C runtime functions the compiler and Zydis expect on bare metal.
#include "support/types.h"

extern "C" {

void* memcpy(void* dst, const void* src, bmbt::usize n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, bmbt::usize n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

void* memset(void* dst, int c, bmbt::usize n) {
  auto* d = static_cast<unsigned char*>(dst);
  while (n--) *d++ = static_cast<unsigned char>(c);
  return dst;
}

int memcmp(const void* a, const void* b, bmbt::usize n) {
  auto* x = static_cast<const unsigned char*>(a);
  auto* y = static_cast<const unsigned char*>(b);
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

bmbt::usize strlen(const char* s) {
  bmbt::usize n = 0;
  while (s[n]) ++n;
  return n;
}

// Called if a pure virtual function is ever invoked (a bug): stop rather than run garbage.
void __cxa_pure_virtual() {
  for (;;) __asm__ volatile("idle 0");
}

}  // extern "C"
