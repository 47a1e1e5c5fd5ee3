// The IR text form: printing a real translated block and parsing it back gives the same block,
// and passes can be shown as text in, text out.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "ir/parser.h"
#include "ir/passes/passes.h"
#include "ir/printer.h"
#include "translate_bytes.h"

using namespace bmbt;

namespace {

void append_line(void* ctx, const char* text) {
  *static_cast<std::string*>(ctx) += text;
  *static_cast<std::string*>(ctx) += "\n";
}

std::string text_of(const ir::Block& b) {
  std::string s;
  ir::print_block(b, append_line, &s);
  return s;
}

// Values are renumbered by definition order when parsed, so compare after one round trip.
std::string normalised(const std::string& text) {
  auto b = std::make_unique<ir::Block>();
  FixedText<300> err;
  bool ok = ir::parse_block(text.c_str(), *b, err);
  const std::string report = std::string(err.c_str()) + "\n" + text;
  if (!ok) FAIL_CHECK(report);
  return ok ? text_of(*b) : "";
}

}  // namespace

TEST_CASE("print -> parse -> print is stable on real translated blocks") {
  const std::vector<std::vector<u8>> blocks = {
      // push rbp; mov rbp,rsp; movzx eax,byte [rdi+rcx*2+8]; shl eax,cl; imul eax,eax,7; sete dl; out dx,al; leave; ret
      {0x55, 0x48, 0x89, 0xe5, 0x0f, 0xb6, 0x44, 0x4f, 0x08, 0xd3, 0xe0, 0x6b, 0xc0, 0x07, 0x0f, 0x94, 0xc2, 0xee, 0xc9, 0xc3},
      {0x48, 0x39, 0xd8, 0x7c, 0x10},                          // cmp rax, rbx; jl
      {0x48, 0xf7, 0xf1, 0xf4},                                // div rcx; hlt
      {0xf3, 0x48, 0xa5, 0xc3},                                // rep movsq; ret
      {0x0f, 0x0b},                                            // ud2
      {0xe8, 0x10, 0x00, 0x00, 0x00},                          // call rel32
      {0x48, 0x01, 0xd8, 0xff, 0xd0},                          // add rax, rbx; call rax
  };
  for (const bool flag_groups : {false, true}) for (const auto& bytes : blocks) {
    auto b = std::make_unique<ir::Block>();
    REQUIRE(test::translate(bytes, *b, 0x1000, 64, flag_groups));
    const std::string once = normalised(text_of(*b));
    CHECK(!once.empty());
    CHECK(normalised(once) == once);
    // Same operations in the same order as the original block.
    auto parsed = std::make_unique<ir::Block>();
    FixedText<300> err;
    REQUIRE(ir::parse_block(text_of(*b).c_str(), *parsed, err));
    REQUIRE(parsed->size() == b->size());
    for (int i = 0; i < b->size(); ++i) {
      CHECK((*parsed)[i].op == (*b)[i].op);
      CHECK((*parsed)[i].type == (*b)[i].type);
      CHECK((*parsed)[i].imm == (*b)[i].imm);
    }
    CHECK(parsed->term.kind == b->term.kind);
    CHECK(parsed->term.return_pc == b->term.return_pc);
    CHECK(parsed->term.is_return == b->term.is_return);
  }
}

TEST_CASE("a block written as text goes through the passes (flag liveness shown as text)") {
  const char* in =
      "insn 0x1000\n"
      "  v1:i64 = get rax\n"
      "  v2:i64 = get rbx\n"
      "  v3:i64 = add v1, v2\n"
      "  v4:i1 = ult v3, v1\n"
      "  setf cf, v4\n"
      "  set rax, v3\n"
      "insn 0x1003\n"
      "  v7:i64 = sub v3, v2\n"
      "  v8:i1 = ult v3, v2\n"
      "  setf cf, v8\n"
      "  set rax, v7\n"
      "  -> jump 0x1006\n";
  auto b = std::make_unique<ir::Block>();
  FixedText<300> err;
  REQUIRE_MESSAGE(ir::parse_block(in, *b, err), std::string(err.c_str()));
  ir::run_default_passes(*b);
  // The first CF and the first write of rax are overwritten: both are gone, and so is ult v3, v1.
  const std::string out = text_of(*b);
  CHECK(out ==
        "insn 0x1000\n"
        "  v1:i64 = get rax\n"
        "  v2:i64 = get rbx\n"
        "  v3:i64 = add v1, v2\n"
        "insn 0x1003\n"
        "  v5:i64 = sub v3, v2\n"
        "  v6:i1 = ult v3, v2\n"
        "  setf cf, v6\n"
        "  set rax, v5\n"
        "  -> jump 0x1006\n");
}

TEST_CASE("parse errors name the problem and the line") {
  struct Case { const char* text; const char* message; };
  const Case cases[] = {
      {"  v1:i64 = frobnicate\n  -> jump 0x0\n", "unknown operation (line 1)"},
      {"  v1:i64 = get rax\n  v2:i64 = add v1, v9\n  -> jump 0x0\n", "unknown value (line 2)"},
      {"  v1:i64 = get rzz\n  -> jump 0x0\n", "unknown guest register (line 1)"},
      {"  v1:i64 = get rax\n", "missing terminator"},
      {"  v1:i32 = get rax\n  -> jump 0x0\n", "register read must be i64"},
      {"  v1:i64 = get rax\n  v2:i32 = add v1, v1\n  -> jump 0x0\n", "result type differs"},
  };
  for (const Case& c : cases) {
    auto b = std::make_unique<ir::Block>();
    FixedText<300> err;
    CHECK_FALSE(ir::parse_block(c.text, *b, err));
    CHECK_MESSAGE(std::string(err.c_str()).find(c.message) != std::string::npos, std::string(err.c_str()));
  }
}
