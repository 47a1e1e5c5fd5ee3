#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "ir/guest_state.h"
#include "ir/parser.h"
#include "ir/passes/passes.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "translate_bytes.h"

using namespace bmbt;

TEST_CASE("flag liveness removes the flags of an ALU op that the next ALU op overwrites") {
  auto b = std::make_unique<ir::Block>();
  // add rax, rbx ; sub rcx, rdx ; jz +2 (without the frontend's flag plan, which would not emit
  // the add's flags at all: see the next test)
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x29, 0xd1, 0x74, 0x02}, *b, 0x1000, 64, false, false));
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

// Translates `code` with and without the frontend's flag plan and checks that the passes end
// with the same block; returns the planned block before the passes in `planned`.
static void check_plan_changes_nothing(const std::vector<u8>& code, int max_insns, ir::Block& planned) {
  auto unplanned = std::make_unique<ir::Block>();
  auto after = std::make_unique<ir::Block>();
  REQUIRE(test::translate(code, planned, 0x1000, max_insns));
  REQUIRE(test::translate(code, *after, 0x1000, max_insns));
  REQUIRE(test::translate(code, *unplanned, 0x1000, max_insns, false, false));
  CHECK(planned.guest_insns == unplanned->guest_insns);
  CHECK(planned.term.kind == unplanned->term.kind);
  CHECK(planned.term.target == unplanned->term.target);
  ir::run_default_passes(*after);
  ir::run_default_passes(*unplanned);
  REQUIRE(after->size() == unplanned->size());
  int differing = 0;
  for (int i = 0; i < after->size(); ++i) {
    const ir::Inst& p = (*after)[i];
    const ir::Inst& u = (*unplanned)[i];
    differing += !(p.op == u.op && p.type == u.type && p.imm == u.imm && p.num_args == u.num_args &&
                   p.args[0] == u.args[0] && p.args[1] == u.args[1] && p.args[2] == u.args[2]);
  }
  CHECK(differing == 0);
}

TEST_CASE("the frontend's flag plan emits only live flags, and the passes end with the same block") {
  auto planned = std::make_unique<ir::Block>();
  check_plan_changes_nothing({0x48, 0x01, 0xd8, 0x48, 0x29, 0xd1, 0x74, 0x02}, 64, *planned);  // add; sub; jz
  CHECK(test::count_ops(*planned, ir::Op::SetFlag) == 6);      // the sub's
  CHECK(test::count_ops(*planned, ir::Op::OverflowAdd) == 0);  // the add's OF was never computed

  // A memory access does not end a plan: add [rdx], rax writes its flags after its accesses, and
  // the sub overwrites all of them before anything could observe them.
  auto through_memory = std::make_unique<ir::Block>();
  check_plan_changes_nothing({0x48, 0x01, 0x02, 0x48, 0x29, 0xfe, 0x74, 0x02}, 64, *through_memory);  // add [rdx], rax; sub rsi, rdi; jz
  CHECK(test::count_ops(*through_memory, ir::Op::SetFlag) == 6);
  CHECK(test::count_ops(*through_memory, ir::Op::OverflowAdd) == 0);
  // ...but flags written before it are live there (a fault must see them): add; mov rcx, [rdx]; sub; jz
  auto before_memory = std::make_unique<ir::Block>();
  check_plan_changes_nothing({0x48, 0x01, 0xd8, 0x48, 0x8b, 0x0a, 0x48, 0x29, 0xfe, 0x74, 0x02}, 64, *before_memory);
  CHECK(test::count_ops(*before_memory, ir::Op::SetFlag) == 12);
  // An undefined flag the handler always writes counts as overwritten: xor clears AF, so the
  // first xor's AF is not emitted (xor eax, ebx; xor ecx, edx; jz).
  auto undefined = std::make_unique<ir::Block>();
  check_plan_changes_nothing({0x31, 0xd8, 0x31, 0xd1, 0x74, 0x02}, 64, *undefined);
  CHECK(test::count_ops(*undefined, ir::Op::SetFlag) == 6);
}

TEST_CASE("a flag plan cut short by a full block is retried: the block end sees exact flags") {
  // 700 x `add rax, rbx; adc rcx, rdx` in one block (limit 2000 instructions): the IR fills up in
  // the middle of a plan, which must then be redone with every flag live where the block ends.
  // (With the plan the IR is smaller and the block holds more instructions than without, so the
  // two translations cannot be compared; the last instruction's flags are checked instead.)
  std::vector<u8> code;
  for (int i = 0; i < 700; ++i) code.insert(code.end(), {0x48, 0x01, 0xd8, 0x48, 0x11, 0xd1});
  auto b = std::make_unique<ir::Block>();
  REQUIRE(test::translate(code, *b, 0x1000, 2000));
  CHECK(b->guest_insns < 1400);  // the block did end early (full)
  CHECK(b->guest_insns > 64);    // after more than one plan
  CHECK(b->term.kind == ir::TermKind::kJump);
  int last_start = b->size() - 1;
  while (last_start >= 0 && (*b)[last_start].op != ir::Op::InsnStart) --last_start;
  int last_flags = 0;
  for (int i = last_start; i < b->size(); ++i) last_flags += (*b)[i].op == ir::Op::SetFlag;
  CHECK(last_flags == 6);  // every flag is live at the block end (no look-ahead here)
}

TEST_CASE("a flag plan stops at a memory access: its fault must see the flags before it") {
  // add rax, rbx ; mov rcx, [rdx] ; sub rcx, rsi ; jz +2: the add's flags are overwritten by the
  // sub, but the load may fault between them, so the add must still produce all six.
  auto b = std::make_unique<ir::Block>();
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x8b, 0x0a, 0x48, 0x29, 0xf1, 0x74, 0x02}, *b));
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 12);
  CHECK(test::count_ops(*b, ir::Op::OverflowAdd) == 1);
}

TEST_CASE("a memory access keeps earlier flag writes: a fault must see exact state") {
  auto b = std::make_unique<ir::Block>();
  // add rax, rbx ; mov rsi, [rdi] ; sub rcx, rdx ; ret
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x8b, 0x37, 0x48, 0x29, 0xd1, 0xc3}, *b));
  ir::run_default_passes(*b);
  // The add's six flags are overwritten by the sub and only the load's fault could see them:
  // fault-only writes (the JIT stores them on the load's miss path); the sub's are live out.
  CHECK(test::count_ops(*b, ir::Op::SetFlagOnFault) == 6);
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 6);
  // Without the memory access in between, the add's flags are simply dead.
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x29, 0xd1, 0xc3}, *b));
  ir::run_default_passes(*b);
  CHECK(test::count_ops(*b, ir::Op::SetFlagOnFault) == 0);
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 6);
  // A helper call is a real read (helpers see the flags): add ; cpuid keeps the add's flags.
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x0f, 0xa2, 0xc3}, *b));  // cpuid
  b->live_out_flags = 0;
  ir::run_default_passes(*b);
  CHECK(test::count_ops(*b, ir::Op::SetFlagOnFault) == 0);
  CHECK(test::count_ops(*b, ir::Op::SetFlag) == 6);
}

TEST_CASE("dead value elimination keeps loads (they can fault)") {
  auto b = std::make_unique<ir::Block>();
  // cmp rax, [rdi] ; cmp rax, rbx ; ret   -> the first compare's flags are dead, its load is not
  REQUIRE(test::translate({0x48, 0x3b, 0x07, 0x48, 0x39, 0xd8, 0xc3}, *b));
  ir::run_default_passes(*b);
  CHECK(test::count_ops(*b, ir::Op::Load) == 2);  // the cmp load and the ret's pop
}

TEST_CASE("constant propagation folds arithmetic on known values in a real block") {
  auto b = std::make_unique<ir::Block>();
  // mov eax, 5 ; add eax, 3 ; mov [rbx], eax ; ret
  REQUIRE(test::translate({0xb8, 0x05, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x03, 0x89, 0x03, 0xc3}, *b));
  CHECK(test::count_ops(*b, ir::Op::Add) >= 1);
  ir::PassStats st = ir::run_default_passes(*b);
  CHECK(st.folded > 0);
  // The stored value is the constant 8: no add of 5 + 3 is left (only address arithmetic remains).
  bool stores_8 = false;
  for (int i = 0; i < b->size(); ++i) {
    const ir::Inst& in = (*b)[i];
    if (in.op == ir::Op::Store) {
      const ir::Inst& v = (*b)[in.args[1]];
      stores_8 = v.op == ir::Op::Const && v.imm == 8;
    }
  }
  CHECK(stores_8);
  FixedText<200> err;
  CHECK(ir::verify(*b, err));
}

TEST_CASE("copy propagation: xor eax, eax is zero and add of zero is its operand") {
  auto b = std::make_unique<ir::Block>();
  // xor eax, eax ; add rcx, rax ; ret   -> rcx + 0 is rcx: no add survives once flags are dead
  REQUIRE(test::translate({0x31, 0xc0, 0x48, 0x01, 0xc1, 0xc3}, *b));
  b->live_out_flags = 0;
  ir::run_default_passes(*b);
  CHECK(test::count_ops(*b, ir::Op::Xor) == 0);
  CHECK(test::count_ops(*b, ir::Op::Add) == 1);  // the ret's rsp + 8 only
}

TEST_CASE("redundant guest-state reads: a register read after its write uses the written value") {
  auto b = std::make_unique<ir::Block>();
  // add rax, rbx ; add rax, rbx ; ret  -> the second add reads rax and rbx from the first, not from
  // state: the frontend forwards them itself (KnownState), as forward_state would.
  REQUIRE(test::translate({0x48, 0x01, 0xd8, 0x48, 0x01, 0xd8, 0xc3}, *b));
  auto gets_of = [&](const ir::Block& blk, u8 reg) {
    int n = 0;
    for (int i = 0; i < blk.size(); ++i) n += blk[i].op == ir::Op::GetReg && blk[i].imm == reg;
    return n;
  };
  CHECK(gets_of(*b, kRAX) == 1);
  CHECK(gets_of(*b, kRBX) == 1);
  ir::run_default_passes(*b);
  // ...and the first add's write of rax is overwritten by the second: only one set rax is left.
  int sets = 0;
  for (int i = 0; i < b->size(); ++i) sets += (*b)[i].op == ir::Op::SetReg && (*b)[i].imm == kRAX;
  CHECK(sets == 1);

  // A helper call may change any guest state: after the port write's helper, rax is read again.
  // mov eax, 1 ; out dx, al ; add eax, ebx ; ret
  auto with_call = std::make_unique<ir::Block>();
  REQUIRE(test::translate({0xb8, 0x01, 0x00, 0x00, 0x00, 0xee, 0x01, 0xd8, 0xc3}, *with_call));
  int call_at = -1, rax_get_at = -1;
  for (int i = 0; i < with_call->size(); ++i) {
    const ir::Inst& in = (*with_call)[i];
    if (in.op == ir::Op::Call) call_at = i;
    if (in.op == ir::Op::GetReg && in.imm == kRAX) rax_get_at = i;
  }
  CHECK(call_at >= 0);
  CHECK(gets_of(*with_call, kRAX) == 1);
  CHECK(rax_get_at > call_at);

  // Width changes of state reads are made once per block, as common-subexpression elimination
  // would: test dil, dil ; jz  -> one truncation of rdi.
  auto test_same = std::make_unique<ir::Block>();
  REQUIRE(test::translate({0x40, 0x84, 0xff, 0x74, 0x02}, *test_same));
  CHECK(test::count_ops(*test_same, ir::Op::Trunc) == 1);

  // The pass itself, on a block the frontend did not make: a get after a set or after another get
  // takes the known value.
  auto parsed = std::make_unique<ir::Block>();
  FixedText<300> err;
  REQUIRE_MESSAGE(ir::parse_block("insn 0x1000\n"
                                  "  v1:i64 = get rax\n"
                                  "  v2:i64 = get rbx\n"
                                  "  v3:i64 = add v1, v2\n"
                                  "  set rax, v3\n"
                                  "  v5:i64 = get rax\n"
                                  "  v6:i64 = get rbx\n"
                                  "  v7:i64 = add v5, v6\n"
                                  "  set rcx, v7\n"
                                  "  -> jump 0x1006\n",
                                  *parsed, err),
                  std::string(err.c_str()));
  ir::PassStats st = ir::run_default_passes(*parsed);
  CHECK(st.forwarded_reads == 2);
  CHECK(gets_of(*parsed, kRAX) == 1);
  CHECK(gets_of(*parsed, kRBX) == 1);
}

// The forward walk tries constant operands and x^x before the common-subexpression lookup (it
// cannot find anything for them) and identities after it; the result is as if the lookup came
// first. Pinned here because the translation's exact bytes depend on it: two identical folded
// instructions stay two constants, and an identity op found again is replaced by the first one,
// not by the operand (the first one was only replaced at its own uses).
TEST_CASE("constant folding, x^x, identities and common subexpressions in one block") {
  const char* in =
      "insn 0x1000\n"
      "  v1:i64 = const 0x5\n"
      "  v2:i64 = const 0x3\n"
      "  v3:i64 = add v1, v2\n"
      "  v4:i64 = add v1, v2\n"
      "  v5:i64 = get rax\n"
      "  v6:i64 = xor v5, v5\n"
      "  v7:i64 = xor v5, v5\n"
      "  v8:i64 = const 0x0\n"
      "  v9:i64 = add v5, v8\n"
      "  v10:i64 = add v5, v8\n"
      "  set rbx, v3\n"
      "  set rcx, v4\n"
      "  set rdx, v6\n"
      "  set rsi, v7\n"
      "  set rdi, v9\n"
      "  set rbp, v10\n"
      "  -> jump 0x1004\n";
  auto b = std::make_unique<ir::Block>();
  FixedText<300> err;
  REQUIRE_MESSAGE(ir::parse_block(in, *b, err), std::string(err.c_str()));
  const ir::PassStats st = ir::run_default_passes(*b);
  CHECK(st.folded == 6);
  std::string out;
  ir::print_block(*b, [](void* ctx, const char* line) { *static_cast<std::string*>(ctx) += std::string(line) + "\n"; }, &out);
  CHECK(out ==
        "insn 0x1000\n"
        "  v1:i64 = const 0x8\n"
        "  v2:i64 = const 0x8\n"
        "  v3:i64 = get rax\n"
        "  v4:i64 = const 0x0\n"
        "  v5:i64 = const 0x0\n"
        "  v6:i64 = const 0x0\n"
        "  v7:i64 = add v3, v6\n"
        "  set rbx, v1\n"
        "  set rcx, v2\n"
        "  set rdx, v4\n"
        "  set rsi, v5\n"
        "  set rdi, v3\n"
        "  set rbp, v7\n"
        "  -> jump 0x1004\n");
  CHECK(ir::verify(*b, err));
}
