#include "ir/parser.h"

#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/printer.h"
#include "ir/semantics.h"
#include "ir/verifier.h"
#include "support/placement_new.h"

namespace bmbt::ir {

namespace {

bool same(const char* a, usize n, const char* b) {
  usize i = 0;
  for (; i < n; ++i)
    if (a[i] != b[i] || !b[i]) return false;
  return b[i] == 0;
}

// A cursor over one line.
struct Line {
  const char* p;
  const char* end;
  void skip_space() { while (p < end && (*p == ' ' || *p == '\t')) ++p; }
  bool eat(const char* lit) {
    skip_space();
    const char* q = p;
    while (*lit) {
      if (q >= end || *q != *lit) return false;
      ++q, ++lit;
    }
    p = q;
    return true;
  }
  // A word of letters, digits, '.', '_' and '-'.
  bool word(const char** w, usize* n) {
    skip_space();
    const char* s = p;
    while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')) ++p;
    *w = s;
    *n = usize(p - s);
    return *n > 0;
  }
  bool number(u64* v) {
    skip_space();
    u64 x = 0;
    int digits = 0;
    if (p + 1 < end && p[0] == '0' && p[1] == 'x') {
      p += 2;
      for (; p < end; ++p, ++digits) {
        char c = *p;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) break;
        x = x * 16 + u64(d);
      }
    } else {
      for (; p < end && *p >= '0' && *p <= '9'; ++p, ++digits) x = x * 10 + u64(*p - '0');
    }
    *v = x;
    return digits > 0;
  }
  bool at_end() { skip_space(); return p >= end; }
};

template <class NameFn>
bool lookup(const char* w, usize n, int count, NameFn name, u64* out) {
  for (int i = 0; i < count; ++i) {
    if (same(w, n, name(i))) { *out = u64(i); return true; }
  }
  return false;
}

class Parser {
 public:
  Parser(Block& b, TextBuf& err) : b_(b), err_(err) {
    for (Value& v : names_) v = kNoValue;
  }

  bool parse(const char* text) {
    b_.reset(0);
    int line_no = 0;
    for (const char* p = text; *p;) {
      const char* e = p;
      while (*e && *e != '\n') ++e;
      ++line_no;
      Line l{p, e};
      if (!l.at_end() && !line(l)) {
        err_.str(" (line ").dec(line_no).ch(')');
        return false;
      }
      p = *e ? e + 1 : e;
    }
    if (b_.term.kind == TermKind::kNone) return fail("missing terminator line (-> ...)");
    return verify(b_, err_);
  }

 private:
  bool fail(const char* what) { err_.str("IR parse: ").str(what); return false; }

  bool value_ref(Line& l, Value* v) {
    u64 n;
    if (!l.eat("v") || !l.number(&n) || n >= kMaxNames || names_[n] == kNoValue) return fail("unknown value");
    *v = names_[n];
    return true;
  }

  bool imm(Line& l, ImmKind kind, u64* out) {
    const char* w;
    usize n;
    switch (kind) {
      case ImmKind::kNoImm: *out = 0; return true;
      case ImmKind::kConstant:
      case ImmKind::kGuestPc: return l.number(out) || fail("expected a number");
      case ImmKind::kGuestReg:
        return (l.word(&w, &n) && lookup(w, n, kGuestRegCount, [](int i) { return guest_reg_name(u8(i)); }, out)) ||
               fail("unknown guest register");
      case ImmKind::kFlag:
        return (l.word(&w, &n) && lookup(w, n, kFlagCount, [](int i) { return flag_name(u8(i)); }, out)) ||
               fail("unknown flag");
      case ImmKind::kSegment:
        return (l.word(&w, &n) && lookup(w, n, 6, [](int i) { return segment_name(u8(i)); }, out)) ||
               fail("unknown segment");
      case ImmKind::kHelper:
        return (l.word(&w, &n) &&
                lookup(w, n, int(HelperId::kCount), [](int i) { return helper_name(u16(i)); }, out)) ||
               fail("unknown helper");
      case ImmKind::kFlagGroup: {
        u64 kind, mask;
        if (!l.word(&w, &n) ||
            !lookup(w, n, int(FlagGroupKind::kCount), [](int i) { return flag_group_name(FlagGroupKind(i)); }, &kind))
          return fail("unknown flag group");
        if (!l.number(&mask) || mask > 0x3f) return fail("expected a flag mask (0..0x3f)");
        *out = pack_flag_group(FlagGroupKind(kind), u8(mask));
        return true;
      }
    }
    return false;
  }

  bool type(Line& l, Type* t) {
    const char* w;
    usize n;
    if (!l.word(&w, &n)) return fail("expected a type");
    for (int k = int(Type::kI1); k <= int(Type::kI64); ++k) {
      if (same(w, n, type_name(Type(k)))) { *t = Type(k); return true; }
    }
    return fail("unknown type");
  }

  bool terminator(Line& l) {
    const char* w;
    usize n;
    Terminator& t = b_.term;
    t = Terminator{};
    if (!l.word(&w, &n)) return fail("expected a terminator");
    const bool is_call = same(w, n, "call");
    if (same(w, n, "jump") || is_call) {
      l.skip_space();
      bool ok;
      if (l.p < l.end && *l.p == 'v') {
        t.kind = TermKind::kJumpIndirect;
        ok = value_ref(l, &t.cond);
      } else {
        t.kind = TermKind::kJump;
        ok = l.number(&t.target) || fail("expected a jump target");
      }
      if (ok && is_call) ok = (l.eat("return") && l.number(&t.return_pc)) || fail("expected: call TARGET return ADDRESS");
      return ok;
    }
    if (same(w, n, "ret")) {
      t.kind = TermKind::kJumpIndirect;
      t.is_return = true;
      return value_ref(l, &t.cond);
    }
    if (same(w, n, "branch")) {
      t.kind = TermKind::kBranch;
      return (value_ref(l, &t.cond) && l.eat("?") && l.number(&t.target) && l.eat(":") && l.number(&t.fallthrough)) ||
             fail("expected: branch vN ? TAKEN : NOT_TAKEN");
    }
    if (same(w, n, "exit")) {
      t.kind = TermKind::kExit;
      u64 r;
      if (!l.word(&w, &n) ||
          !lookup(w, n, 8, [](int i) { return exit_reason_name(ExitReason(i)); }, &r))
        return fail("unknown exit reason");
      t.reason = ExitReason(r);
      return (l.eat("rip=") && l.number(&t.target)) || fail("expected rip=ADDRESS");
    }
    return fail("unknown terminator");
  }

  bool line(Line& l) {
    if (l.eat("->")) return terminator(l) && (l.at_end() || fail("text after the terminator"));
    u64 name = kMaxNames;
    Type t = Type::kVoid;
    const char* save = l.p;
    if (l.eat("v") && l.number(&name)) {
      if (!l.eat(":") || !type(l, &t) || !l.eat("=")) return fail("expected vN:type = ...");
      if (name >= kMaxNames) return fail("value number too large");
    } else {
      l.p = save;
    }
    const char* w;
    usize n;
    if (!l.word(&w, &n)) return fail("expected an operation");
    int op = 0;
    while (op < int(Op::kCount) && !same(w, n, op_info(Op(op)).name)) ++op;
    if (op == int(Op::kCount)) return fail("unknown operation");
    const OpInfo& info = op_info(Op(op));
    Inst in{};
    in.op = Op(op);
    in.type = t;
    in.args[0] = in.args[1] = in.args[2] = kNoValue;
    if (!imm(l, info.imm, &in.imm)) return false;
    bool first = info.imm == ImmKind::kNoImm;
    while (!l.at_end()) {
      if (!first && !l.eat(",")) return fail("expected ','");
      first = false;
      if (in.num_args == 3) return fail("too many operands");
      if (!value_ref(l, &in.args[in.num_args])) return false;
      ++in.num_args;
    }
    // Calls may or may not produce a value; every other op's table entry decides.
    if (in.op != Op::Call && (t == Type::kVoid) != (info.result == ResultRule::kVoid))
      return fail("result does not match the operation");
    if (b_.full(1)) return fail("block too large");
    if (in.op == Op::FlagGroup) b_.has_flag_groups = true;
    Value v = b_.append(in);
    if (name < kMaxNames) names_[name] = v;
    return true;
  }

  static constexpr u64 kMaxNames = Block::kMaxInsts * 4;
  Block& b_;
  TextBuf& err_;
  Value names_[kMaxNames];
};

}  // namespace

bool parse_block(const char* text, Block& block, TextBuf& error) {
  // The name table is large: kept out of the stack (one parse at a time).
  alignas(Parser) static unsigned char storage[sizeof(Parser)];
  Parser* p = new (storage) Parser(block, error);
  return p->parse(text);
}

}  // namespace bmbt::ir
