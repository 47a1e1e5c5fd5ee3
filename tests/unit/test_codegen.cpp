// The LoongArch code generator on the x86 host: every word it emits must be an instruction
// our disassembler (checked against llvm-objdump elsewhere) knows, and the trampoline fits.
#include <doctest/doctest.h>

#include <memory>

#include "backend-la64/disasm.h"
#include "backend-la64/jit_backend.h"
#include "ir/passes/passes.h"
#include "translate_bytes.h"

using namespace bmbt;

TEST_CASE("generated code for a real block consists only of valid LoongArch instructions") {
  auto b = std::make_unique<ir::Block>();
  // push rbp; mov rbp, rsp; movzx eax, byte [rdi+rcx*2+8]; shl eax, cl; imul eax, eax, 7; sete dl;
  // add [rsi], eax; out dx, al; leave; ret
  REQUIRE(test::translate({0x55, 0x48, 0x89, 0xe5, 0x0f, 0xb6, 0x44, 0x4f, 0x08, 0xd3, 0xe0, 0x6b, 0xc0, 0x07, 0x0f,
                           0x94, 0xc2, 0x01, 0x06, 0xee, 0xc9, 0xc3},
                          *b));
  ir::run_default_passes(*b);
  static u32 words[8192];
  static u32 trampoline[4096];
  la64::TrampolineLayout layout;
  REQUIRE(la64::write_trampoline(trampoline, 4096, &layout));
  la64::CodegenResult r = la64::generate(*b, la64::make_targets(0, layout, true), 0x10000, words, 8192);
  REQUIRE(r.status == la64::CodegenStatus::kOk);
  CHECK(r.words > 20);
  for (usize i = 0; i < r.words; ++i) {
    FixedText<100> text;
    CHECK_MESSAGE(la64::disassemble(words[i], text), "word ", i, " = ", words[i]);
  }
}

TEST_CASE("the trampoline and its slow-path stubs encode into valid instructions") {
  static u32 words[4096];
  la64::TrampolineLayout layout;
  REQUIRE(la64::write_trampoline(words, 4096, &layout));
  CHECK(layout.exit > 0);
  CHECK(layout.load_stub[0] > layout.exit);
  CHECK(layout.store_stub[3] < layout.words);
  for (usize i = 0; i < layout.words; ++i) {
    FixedText<100> text;
    CHECK(la64::disassemble(words[i], text));
  }
}
