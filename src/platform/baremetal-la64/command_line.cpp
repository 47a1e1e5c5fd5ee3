#include "kernel.h"

namespace bmbt::baremetal {

namespace {
// Start of the value if the word at w is `name` or `name=...`: returns w+len(name) or nullptr.
const char* match_word(const char* w, const char* name) {
  while (*name && *w == *name) ++w, ++name;
  if (*name) return nullptr;
  return (*w == 0 || *w == ' ' || *w == '=') ? w : nullptr;
}

template <class Fn>
const char* each_word(const char* text, Fn fn) {
  for (const char* p = text; *p;) {
    while (*p == ' ') ++p;
    if (!*p) break;
    if (const char* r = fn(p)) return r;
    while (*p && *p != ' ') ++p;
  }
  return nullptr;
}
}  // namespace

bool CommandLine::has(const char* name) const {
  return each_word(text_, [&](const char* w) { return match_word(w, name); }) != nullptr;
}

const char* CommandLine::value(const char* name) const {
  const char* v = each_word(text_, [&](const char* w) {
    const char* end = match_word(w, name);
    return end && *end == '=' ? end + 1 : nullptr;
  });
  if (!v) return nullptr;
  usize n = 0;
  while (v[n] && v[n] != ' ' && n + 1 < sizeof(value_)) value_[n] = v[n], ++n;
  value_[n] = 0;
  return value_;
}

}  // namespace bmbt::baremetal
