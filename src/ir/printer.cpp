#include "ir/printer.h"

#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/semantics.h"

namespace bmbt::ir {

const char* segment_name(u8 seg) {
  static const char* const kSeg[] = {"es", "cs", "ss", "ds", "fs", "gs"};
  return seg < 6 ? kSeg[seg] : "?";
}

static void print_imm(const Inst& in, TextBuf& out) {
  switch (op_info(in.op).imm) {
    case ImmKind::kNoImm: return;
    case ImmKind::kConstant: out.hex0x(in.imm); return;
    case ImmKind::kGuestReg: out.str(guest_reg_name(u8(in.imm))); return;
    case ImmKind::kFlag: out.str(flag_name(u8(in.imm))); return;
    case ImmKind::kSegment: out.str(segment_name(u8(in.imm))); return;
    case ImmKind::kHelper: out.str(helper_name(u16(in.imm))); return;
    case ImmKind::kGuestPc: out.hex0x(in.imm); return;
    case ImmKind::kFlagGroup:
      out.str(flag_group_name(flag_group_kind(in.imm))).ch(' ').hex0x(flag_group_mask(in.imm));
      return;
  }
}

void print_inst(const Block& b, int index, TextBuf& out) {
  const Inst& in = b[index];
  const OpInfo& info = op_info(in.op);
  if (in.type != Type::kVoid) out.ch('v').dec(index).ch(':').str(type_name(in.type)).str(" = ");
  out.str(info.name);
  bool first = true;
  if (info.imm != ImmKind::kNoImm) {
    out.ch(' ');
    print_imm(in, out);
    first = false;
  }
  for (int a = 0; a < in.num_args; ++a) {
    out.str(first ? " " : ", ").ch('v').dec(in.args[a]);
    first = false;
  }
}

void print_terminator(const Block& b, TextBuf& out) {
  const Terminator& t = b.term;
  out.str("-> ");
  switch (t.kind) {
    case TermKind::kNone: out.str("(none)"); break;
    case TermKind::kJump:
      if (t.return_pc) out.str("call ").hex0x(t.target).str(" return ").hex0x(t.return_pc);
      else out.str("jump ").hex0x(t.target);
      break;
    case TermKind::kBranch:
      out.str("branch v").dec(t.cond).str(" ? ").hex0x(t.target).str(" : ").hex0x(t.fallthrough);
      break;
    case TermKind::kJumpIndirect:
      if (t.return_pc) out.str("call v").dec(t.cond).str(" return ").hex0x(t.return_pc);
      else out.str(t.is_return ? "ret v" : "jump v").dec(t.cond);
      break;
    case TermKind::kExit: out.str("exit ").str(exit_reason_name(t.reason)).str(" rip=").hex0x(t.target); break;
  }
}

void print_block(const Block& b, void (*line)(void*, const char*), void* ctx) {
  FixedText<200> text;
  for (int i = 0; i < b.size(); ++i) {
    text.clear();
    if (b[i].op != Op::InsnStart) text.str("  ");
    print_inst(b, i, text);
    line(ctx, text.c_str());
  }
  text.clear();
  text.str("  ");
  print_terminator(b, text);
  line(ctx, text.c_str());
}

}  // namespace bmbt::ir
