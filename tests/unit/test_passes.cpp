#include <doctest/doctest.h>

#include <memory>

#include "ir/passes/passes.h"
#include "ir/verifier.h"
#include "translate_bytes.h"

using namespace bmbt;

TEST_CASE("flag liveness removes the flags of an ALU op that the next ALU op overwrites") {
  auto b = std::make_unique<ir::Block>();
  // add rax, rbx ; sub rcx, rdx ; jz +2
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x29, 0xd1, 0x74, 0x02}, *b));
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 12);
  CHECK(test::count_ops(*b, ir::Op::OverflowAdd) == 1);
  int before = b->size();
  ir::PassStats st = ir::run_default_passes(*b);
  // The add's six flags are dead; the sub's flags stay (jz reads ZF, the rest is live-out).
  CHECK(st.removed_state_writes == 6);
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 6);
  CHECK(test::count_ops(*b, ir::Op::OverflowAdd) == 0);  // its computation went with it
  CHECK(test::count_ops(*b, ir::Op::Parity) == 1);
  CHECK(b->size() < before);
  FixedText<200> err;
  CHECK(ir::verify(*b, err));
}

TEST_CASE("a memory access keeps earlier flag writes: a fault must see exact state") {
  auto b = std::make_unique<ir::Block>();
  // add rax, rbx ; mov rsi, [rdi] ; sub rcx, rdx ; ret
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x8b, 0x37, 0x48, 0x29, 0xd1, 0xc3}, *b));
  ir::run_default_passes(*b);
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 12);
}

TEST_CASE("dead value elimination keeps loads (they can fault)") {
  auto b = std::make_unique<ir::Block>();
  // cmp rax, [rdi] ; cmp rax, rbx ; ret   -> the first compare's flags are dead, its load is not
  REQUIRE(test::translate({0x48, 0x3b, 0x07, 0x48, 0x39, 0xd8, 0xc3}, *b));
  ir::run_default_passes(*b);
  CHECK(test::count_ops(*b, ir::Op::Load) == 2);  // the cmp load and the ret's pop
}
