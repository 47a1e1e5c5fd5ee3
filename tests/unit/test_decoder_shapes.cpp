// The decoder's shape cache (decoder.h) against plain Zydis: every result must be byte for byte
// what ZydisDecoderDecodeFull gives, whatever displacement and immediate values an instruction of
// a remembered shape has, and whatever register numbers one with free register bits
// (InsnLayout::registers) has. Inputs: every x86-diff generator form, every byte offset of the
// guest images, random byte strings, a sweep over all opcodes of the legacy maps and one over
// every ModRM byte of the one-byte and 0F maps under REX prefixes.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "frontend-x86/decoder.h"
#include "frontend-x86/insn_layout.h"
#include "generator.h"

using namespace bmbt;

namespace {

constexpr int kMaxLen = ZYDIS_MAX_INSTRUCTION_LENGTH;

u64 splitmix(u64& s) {
  u64 z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string hex(const u8* bytes, usize len) {
  std::string s;
  char b[4];
  for (usize i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x ", bytes[i]);
    s += b;
  }
  return s;
}

// Checks one Decoder (kept across all inputs, so that shapes are remembered and evicted as in
// use) against fresh Zydis decodes.
class ShapeChecker {
 public:
  ShapeChecker() : dec_(std::make_unique<x86::Decoder>()) {
    ZydisDecoderInit(&zydis_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  }

  // The instruction `bytes` begins with (`len` available), then variants with other values in
  // its displacement and immediate bytes (where Zydis says they are).
  void check(const u8* bytes, usize len) {
    u8 buf[kMaxLen];
    len = len < usize(kMaxLen) ? len : usize(kMaxLen);
    std::memcpy(buf, bytes, len);
    x86::DecodedInsn want;
    const bool ok = reference(buf, len, want);
    check_scanner(buf, len, ok ? &want.insn : nullptr);
    compare(buf, len);
    if (!ok) return;
    const auto& raw = want.insn.raw;
    for (int variant = 0; variant < kVariants; ++variant) {
      fill(buf, raw.disp.offset, raw.disp.size / 8, variant);
      fill(buf, raw.imm[0].offset, raw.imm[0].size / 8, variant);
      fill(buf, raw.imm[1].offset, raw.imm[1].size / 8, variant);
      compare(buf, len);
    }
    // Exactly as long as the instruction, and one byte short (must fail as Zydis fails).
    compare(buf, want.insn.length);
    compare(buf, want.insn.length - 1u);
  }

  int failures() const { return failures_; }
  long compared() const { return compared_; }
  long scanner_known() const { return scanner_known_; }
  long scanner_valid() const { return scanner_valid_; }
  const x86::Decoder& decoder() const { return *dec_; }

 private:
  static constexpr int kVariants = 4;

  bool reference(const u8* bytes, usize len, x86::DecodedInsn& out) {
    std::memset(&out, 0, sizeof out);
    return ZYAN_SUCCESS(ZydisDecoderDecodeFull(&zydis_, bytes, len, &out.insn, out.ops));
  }

  // Values with the sign bit set and clear, all ones, zero and random, in turn.
  void fill(u8* buf, int offset, int size, int variant) {
    if (size == 0) return;
    for (int i = 0; i < size; ++i) {
      const u8 r = u8(splitmix(rng_));
      const bool top = i == size - 1;
      switch (variant) {
        case 0: buf[offset + i] = top ? u8(r | 0x80) : r; break;
        case 1: buf[offset + i] = top ? u8(r & 0x7f) : r; break;
        case 2: buf[offset + i] = u8(splitmix(rng_) & 1 ? 0xff : 0x00); break;
        default: buf[offset + i] = r; break;
      }
    }
  }

  void fail(const std::string& what, const u8* bytes, usize len) {
    if (++failures_ <= 20) MESSAGE(what, ": ", hex(bytes, len));
  }

  // decode and decode_instruction (in a varying order, at varying addresses) against Zydis.
  void compare(const u8* bytes, usize len) {
    ++compared_;
    x86::DecodedInsn want;
    const bool want_ok = reference(bytes, len, want);
    const u64 pc = splitmix(rng_) & 0xfff;  // collisions in the per-address cache too
    want.pc = pc;
    const bool instruction_first = splitmix(rng_) & 1;
    if (instruction_first) compare_instruction(bytes, len, pc, want_ok, want);
    x86::DecodedInsn got;
    std::memset(&got, 0xa5, sizeof got);  // every byte must be written
    const bool got_ok = dec_->decode(bytes, len, pc, got);
    if (got_ok != want_ok) {
      fail("decode succeeds where Zydis fails or vice versa", bytes, len);
    } else if (got_ok && std::memcmp(&got, &want, sizeof got) != 0) {
      fail("decode differs from Zydis", bytes, len);
    }
    if (!instruction_first) compare_instruction(bytes, len, pc, want_ok, want);
  }

  void compare_instruction(const u8* bytes, usize len, u64 pc, bool want_ok, const x86::DecodedInsn& want) {
    const ZydisDecodedInstruction* got = dec_->decode_instruction(bytes, len, pc);
    if ((got != nullptr) != want_ok) {
      fail("decode_instruction succeeds where Zydis fails or vice versa", bytes, len);
    } else if (got && std::memcmp(got, &want.insn, sizeof *got) != 0) {
      fail("decode_instruction differs from Zydis", bytes, len);
    }
  }

  // Where the scanner claims a layout and Zydis decodes, both must agree on every offset and size.
  void check_scanner(const u8* bytes, usize len, const ZydisDecodedInstruction* insn) {
    const x86::InsnLayout l = x86::scan_layout(bytes, len);
    if (!l.packed) return;
    ++scanner_known_;
    if (!insn) return;
    ++scanner_valid_;
    const auto& raw = insn->raw;
    const auto field_ok = [](int zydis_offset, int zydis_bits, int offset, int size) {
      return zydis_bits == 8 * size && (size == 0 || zydis_offset == offset);
    };
    if (l.length() != insn->length) fail("scanner length differs from Zydis", bytes, len);
    if (!field_ok(raw.disp.offset, raw.disp.size, l.disp_offset(), l.disp_size()) ||
        !field_ok(raw.imm[0].offset, raw.imm[0].size, l.imm_offset(0), l.imm_size(0)) ||
        !field_ok(raw.imm[1].offset, raw.imm[1].size, l.imm_offset(1), l.imm_size(1)))
      fail("scanner layout differs from Zydis", bytes, len);
  }

  std::unique_ptr<x86::Decoder> dec_;
  ZydisDecoder zydis_;
  u64 rng_ = 0x5eed;
  int failures_ = 0;
  long compared_ = 0, scanner_known_ = 0, scanner_valid_ = 0;
};

std::vector<u8> read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<u8>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void report(const std::string& source, const ShapeChecker& c) {
  const x86::Decoder::Stats s = c.decoder().stats();
  MESSAGE(source, ": ", c.compared(), " decodes compared; scanner claimed ", c.scanner_known(), " (", c.scanner_valid(),
          " valid); shape hits ", s.shape_hits, ", misses ", s.shape_misses);
}

}  // namespace

TEST_CASE("shape cache: every x86-diff generator form decodes as plain Zydis") {
  ShapeChecker c;
  for (u64 index = 0; index < 20000; ++index) {
    const x86diff::Case k = x86diff::make_case(1, index);
    for (int off = 0, n = 0; off < k.code_len && n < k.n_insns; ++n) {
      c.check(k.code + off, usize(k.code_len - off));
      ZydisDecoder z;
      ZydisDecoderInit(&z, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
      ZydisDecodedInstruction insn;
      ZydisDecoderContext ctx;
      if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&z, &ctx, k.code + off, usize(k.code_len - off), &insn))) break;
      off += insn.length;
    }
  }
  report("generator", c);
  CHECK(c.decoder().stats().shape_hits > 0);
  CHECK(c.failures() == 0);
}

TEST_CASE("shape cache: every byte offset of the guest images decodes as plain Zydis") {
  ShapeChecker c;
  int images = 0;
  std::vector<std::filesystem::path> paths = {BMBT_BINARY_DIR "/tests/guests/skeleton/skeleton.img"};
  const std::filesystem::path bench = BMBT_BINARY_DIR "/benchmarks";
  if (std::filesystem::is_directory(bench))
    for (const auto& e : std::filesystem::directory_iterator(bench))
      if (e.path().string().ends_with("-ci.img")) paths.push_back(e.path());
  for (const auto& p : paths) {
    const std::vector<u8> image = read_file(p);
    if (image.empty()) continue;
    ++images;
    for (usize off = 0; off < image.size(); ++off) c.check(image.data() + off, image.size() - off);
  }
  MESSAGE(images, " images");
  report("images", c);
  CHECK(images >= 1);
  CHECK(c.failures() == 0);
}

TEST_CASE("shape cache: random bytes and every opcode of the legacy maps decode as plain Zydis") {
  ShapeChecker c;
  u64 rng = 42;
  u8 buf[kMaxLen];
  for (int n = 0; n < 200000; ++n) {
    for (u8& b : buf) b = u8(splitmix(rng));
    c.check(buf, kMaxLen);
  }
  // Each opcode of the one-byte, 0F, 0F38 and 0F3A maps after a few prefix combinations, with
  // every ModRM value (a sample of them after prefixes) and random bytes after it.
  static const std::vector<std::vector<u8>> kPrefixes = {
      {}, {0x66}, {0x67}, {0xf2}, {0xf3}, {0x48}, {0x41}, {0x66, 0x48}, {0xf0}, {0x2e, 0x67, 0x66}, {0xf3, 0x66, 0x4c},
      {0x48, 0x66}, {0x66, 0xf2}, {0xf2, 0xf3}, {0x64, 0x41}};
  static const std::vector<std::vector<u8>> kMaps = {{}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}};
  for (const auto& prefix : kPrefixes) {
    for (const auto& map : kMaps) {
      for (int opcode = 0; opcode < 256; ++opcode) {
        const int modrms = prefix.empty() ? 256 : 24;
        for (int m = 0; m < modrms; ++m) {
          for (u8& b : buf) b = u8(splitmix(rng));
          usize i = 0;
          for (u8 b : prefix) buf[i++] = b;
          for (u8 b : map) buf[i++] = b;
          buf[i++] = u8(opcode);
          buf[i] = prefix.empty() ? u8(m) : u8(splitmix(rng));
          c.check(buf, kMaxLen);
        }
      }
    }
  }
  report("random and sweep", c);
  CHECK(c.decoder().stats().shape_hits > 0);
  CHECK(c.failures() == 0);
}

TEST_CASE("shape cache: every ModRM byte under REX prefixes decodes as plain Zydis") {
  // Register numbers: the shapes of register-only operands leave ModRM.reg/rm and REX.R/B out
  // of the key, so each opcode and ModRM meets entries made from other register numbers (8-bit
  // registers change names with a REX prefix: AH..BH become SPL..DIL).
  ShapeChecker c;
  u64 rng = 7;
  u8 buf[kMaxLen];
  static const std::vector<std::vector<u8>> kRex = {{}, {0x40}, {0x41}, {0x44}, {0x45}, {0x48}, {0x4c}, {0x4d}, {0x4f}};
  static const std::vector<std::vector<u8>> kMaps = {{}, {0x0f}};
  for (const auto& rex : kRex) {
    for (const auto& map : kMaps) {
      for (int opcode = 0; opcode < 256; ++opcode) {
        for (int modrm = 0; modrm < 256; ++modrm) {
          for (u8& b : buf) b = u8(splitmix(rng));
          usize i = 0;
          for (u8 b : rex) buf[i++] = b;
          for (u8 b : map) buf[i++] = b;
          buf[i++] = u8(opcode);
          buf[i] = u8(modrm);
          c.check(buf, kMaxLen);
        }
      }
    }
  }
  report("ModRM under REX", c);
  CHECK(c.decoder().stats().shape_hits > 0);
  CHECK(c.failures() == 0);
}
