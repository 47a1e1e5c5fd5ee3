// The x86-diff corpus: test vectors recorded on the host CPU (input state, instruction bytes,
// native output state, window delta) for replay by other executors, e.g. the LoongArch JIT.
// Format (little-endian, described in docs/x86-differential-testing.md):
//   header  : "BMBTX86V" u32 version(1) u32 header_bytes(40) u64 window_base u64 window_size u64 code_addr
//   record  : u32 record_bytes, u16 family, u8 n_insns, u8 code_len, u8 exit_kind, u8 n_patches,
//             u8 strict_memory, u8 reserved, u32 strict_regs, u64 flags_mask, u64 seed, u64 index,
//             u64 mem_seed, State in (20 x u64), State out (20 x u64), code[code_len],
//             n_patches x {u16 offset, u8 len, bytes[len]}, u16 n_delta, n_delta x {u16 offset, u8 value}
// The initial window is fill_window(mem_seed, patches) from layout.h; the expected final window
// is the initial one with the delta applied. This reader needs no C++ library (only layout.h).
#pragma once
#include "layout.h"

namespace bmbt::x86diff::corpus {

constexpr u8 kMagic[8] = {'B', 'M', 'B', 'T', 'X', '8', '6', 'V'};
constexpr u32 kVersion = 1;
constexpr u32 kHeaderBytes = 40;

struct Vector {
  u16 family;            // generator.h Family (informational)
  u8 n_insns;
  u8 code_len;
  ExitKind exit_kind;    // native result
  u8 n_patches;
  bool strict_memory;
  u32 strict_regs;       // GPRs whose value must match (bit i = GPR i)
  u64 flags_mask;        // RFLAGS bits that must match
  u64 seed, index;       // the generator's coordinates (x86-diff --seed S --case N)
  u64 mem_seed;
  State in, out;
  u8 code[kMaxCode];
  Patch patches[kMaxPatches];
  u16 n_delta;
  const u8* delta;       // n_delta x {u16 offset, u8 value}, inside the reader's buffer

  u16 delta_offset(int i) const { return u16(delta[3 * i] | delta[3 * i + 1] << 8); }
  u8 delta_value(int i) const { return delta[3 * i + 2]; }
  // The window before and (expected) after the case.
  void initial_window(u8* w) const { fill_window(mem_seed, patches, n_patches, w); }
  void expected_window(u8* w) const {
    initial_window(w);
    for (int i = 0; i < n_delta; ++i) w[delta_offset(i)] = delta_value(i);
  }
};

class Reader {
 public:
  // `data` holds a whole corpus file.
  Reader(const u8* data, usize size) : p_(data), end_(data + size) {
    ok_ = size >= kHeaderBytes;
    for (int i = 0; ok_ && i < 8; ++i) ok_ = data[i] == kMagic[i];
    if (!ok_) return;
    const u8* h = data + 8;
    ok_ = u32le(h) == kVersion && u64le(h + 8) == kWindowBase && u64le(h + 16) == kWindowSize &&
          u64le(h + 24) == kCodeAddr;
    p_ = data + kHeaderBytes;
  }
  bool valid() const { return ok_; }
  // Reads the next vector; false at the end or on a malformed record (then valid() is false).
  bool next(Vector& v) {
    if (!ok_ || p_ == end_) return false;
    if (end_ - p_ < 4) return fail();
    u32 bytes = u32le(p_);
    if (bytes < 4 || u64(end_ - p_) < bytes) return fail();
    const u8* q = p_ + 4;
    const u8* rec_end = p_ + bytes;
    if (rec_end - q < 2 + 6 + 4 + 8 * 4 + 2 * 8 * 20) return fail();
    v.family = u16(q[0] | q[1] << 8);
    v.n_insns = q[2];
    v.code_len = q[3];
    v.exit_kind = ExitKind(q[4]);
    v.n_patches = q[5];
    v.strict_memory = q[6] != 0;
    q += 8;
    v.strict_regs = u32le(q); q += 4;
    v.flags_mask = u64le(q); q += 8;
    v.seed = u64le(q); q += 8;
    v.index = u64le(q); q += 8;
    v.mem_seed = u64le(q); q += 8;
    q = state(q, v.in);
    q = state(q, v.out);
    if (v.code_len > kMaxCode || v.n_patches > kMaxPatches || rec_end - q < v.code_len) return fail();
    for (int i = 0; i < v.code_len; ++i) v.code[i] = q[i];
    q += v.code_len;
    for (int p = 0; p < v.n_patches; ++p) {
      if (rec_end - q < 3) return fail();
      Patch& pt = v.patches[p];
      pt.offset = u16(q[0] | q[1] << 8);
      pt.len = q[2];
      q += 3;
      if (pt.len > kPatchBytes || rec_end - q < pt.len || pt.offset + pt.len > kWindowSize) return fail();
      for (int i = 0; i < pt.len; ++i) pt.bytes[i] = q[i];
      q += pt.len;
    }
    if (rec_end - q < 2) return fail();
    v.n_delta = u16(q[0] | q[1] << 8);
    q += 2;
    if (rec_end - q != 3 * i64(v.n_delta)) return fail();
    v.delta = q;
    for (int i = 0; i < v.n_delta; ++i)
      if (v.delta_offset(i) >= kWindowSize) return fail();
    p_ = rec_end;
    return true;
  }

  static u32 u32le(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
  static u64 u64le(const u8* p) { return u64(u32le(p)) | u64(u32le(p + 4)) << 32; }

 private:
  bool fail() { ok_ = false; return false; }
  static const u8* state(const u8* q, State& s) {
    for (int i = 0; i < 16; ++i) s.gpr[i] = u64le(q + 8 * i);
    s.rip = u64le(q + 128);
    s.rflags = u64le(q + 136);
    s.fs_base = u64le(q + 144);
    s.gs_base = u64le(q + 152);
    return q + 160;
  }
  const u8* p_;
  const u8* end_;
  bool ok_ = false;
};

static_assert(sizeof(State) == 160, "State is 20 consecutive u64");

}  // namespace bmbt::x86diff::corpus
