#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "ir/builder.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "translate_bytes.h"

using namespace bmbt;

static void append_line(void* ctx, const char* text) {
  *static_cast<std::string*>(ctx) += text;
  *static_cast<std::string*>(ctx) += "\n";
}

TEST_CASE("the printer shows a translated block in the documented text form") {
  auto b = std::make_unique<ir::Block>();
  // add eax, ebx ; ret
  REQUIRE(test::translate({0x01, 0xd8, 0xc3}, *b));
  std::string text;
  ir::print_block(*b, append_line, &text);
  CHECK(text.find("insn 0x1000\n") == 0);
  CHECK(text.find("  v2:i32 = trunc v1\n") != std::string::npos);
  CHECK(text.find("  v5:i32 = add v2, v4\n") != std::string::npos);
  CHECK(text.find("setf zf,") != std::string::npos);
  CHECK(text.find("-> ret v") != std::string::npos);  // ret: an indirect jump marked as a return
}

TEST_CASE("calls and returns carry their return-address hints through print and parse") {
  auto b = std::make_unique<ir::Block>();
  // call rel32 (to 0x2000 from 0x1000: rel = 0x2000 - 0x1005)
  REQUIRE(test::translate({0xe8, 0xfb, 0x0f, 0x00, 0x00}, *b));
  std::string text;
  ir::print_block(*b, append_line, &text);
  CHECK(text.find("-> call 0x2000 return 0x1005") != std::string::npos);
  CHECK(b->term.return_pc == 0x1005);
  // call rax
  REQUIRE(test::translate({0xff, 0xd0}, *b));
  text.clear();
  ir::print_block(*b, append_line, &text);
  CHECK(text.find("-> call v") != std::string::npos);
  CHECK(text.find(" return 0x1002") != std::string::npos);
}

TEST_CASE("the verifier rejects operands of different types") {
  auto b = std::make_unique<ir::Block>();
  b->reset(0);
  ir::Builder bld(*b);
  ir::Value a = bld.constant(ir::Type::kI32, 1);
  ir::Value c = bld.constant(ir::Type::kI64, 2);
  bld.add(a, c);
  bld.jump(0);
  FixedText<200> err;
  CHECK_FALSE(ir::verify(*b, err));
  CHECK(std::string(err.c_str()).find("operand types differ") != std::string::npos);
}

TEST_CASE("the verifier accepts every block the frontend produces for common instructions") {
  auto b = std::make_unique<ir::Block>();
  // push rbp; mov rbp, rsp; movzx eax, byte [rdi+rcx*2+8]; shl eax, cl; imul eax, eax, 7; sete dl; leave; ret
  REQUIRE(test::translate({0x55, 0x48, 0x89, 0xe5, 0x0f, 0xb6, 0x44, 0x4f, 0x08, 0xd3, 0xe0, 0x6b, 0xc0, 0x07,
                           0x0f, 0x94, 0xc2, 0xc9, 0xc3},
                          *b));
  FixedText<300> err;
  CHECK_MESSAGE(ir::verify(*b, err), err.c_str());
  CHECK(b->guest_insns == 8);
}

TEST_CASE("an unimplemented instruction ends the block with an exit at its address") {
  auto b = std::make_unique<ir::Block>();
  // add eax, ebx ; ud2
  REQUIRE(test::translate({0x01, 0xd8, 0x0f, 0x0b}, *b));
  CHECK(b->term.kind == ir::TermKind::kExit);
  CHECK(b->term.reason == ir::ExitReason::kUndefined);
  CHECK(b->term.target == 0x1002);
}
