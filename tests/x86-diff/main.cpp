// x86-diff: the differential tester of BMBT's x86 frontend + IR passes + IR interpreter against
// the host x86-64 CPU. See docs/x86-differential-testing.md.
//
//   x86-diff [--seed S] [--cases N] [--first K] [--family NAME] [--record FILE] [--max-reports M]
//   x86-diff --seed S --case N          replay exactly one case, printing everything
//   x86-diff --replay FILE              run a recorded corpus through BMBT
//   --executor interp|sim|sim-lbt       BMBT's side on the IR interpreter (default) or on the
//                                       LoongArch JIT's code in the simulator (software / LBT flags)
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bmbt_runner.h"
#include "capstone_check.h"
#include "compare.h"
#include "corpus_format.h"
#include "replay.h"
#include "frontend-x86/decoder.h"
#include "generator.h"
#include "native_runner.h"
#include "sim_backend.h"

using namespace bmbt;
using namespace bmbt::x86diff;

namespace {

struct Options {
  u64 seed = 1;
  u64 cases = 200000;
  u64 first = 0;
  bool single = false;
  Family family = Family::kCount;  // kCount: all
  std::string record, replay;
  int max_reports = 10;
  bool capstone = true;
  std::string executor = "interp";  // interp | sim | sim-lbt
};

// The executor BMBT's side runs on: the IR interpreter, or the LoongArch JIT's code in the
// simulator with the software or the LBT flag strategy (tests/la64-sim/sim_backend.h).
struct Executor {
  std::unique_ptr<la64sim::SimBackend> sim;
  bool lbt = false;
  // Static expansion of what the simulator ran: LoongArch instructions generated per guest
  // instruction translated (whole blocks: budget check, flag work, exits, out-of-line paths).
  // Under LBT, also what the flags cost at run time; false if no LBT flag instruction ran at all
  // (the strategy would then not have been exercised, whatever the comparison says).
  bool print_expansion() const {
    if (!sim) return true;
    la64sim::SimCounts c = sim->counts();
    if (!c.translated_insns) return true;
    std::printf("static expansion (%s flags): %" PRIu64 " LoongArch instructions for %" PRIu64
                " guest instructions translated = %.2f per guest instruction\n",
                lbt ? "LBT" : "software", c.emitted_words, c.translated_insns,
                double(c.emitted_words) / double(c.translated_insns));
    if (!lbt) return true;
    u64 groups = 0;
    for (int op = int(la64::Op::X86ADC_B); op <= int(la64::Op::X86RCLI_D); ++op) groups += c.op_counts[usize(op)];
    std::printf("LBT instructions executed: %" PRIu64 " flag operations (x86add.w ...), %" PRIu64 " x86mfflag, %" PRIu64
                " x86mtflag, %" PRIu64 " setx86j\n",
                groups, c.op_counts[usize(la64::Op::X86MFFLAG)], c.op_counts[usize(la64::Op::X86MTFLAG)],
                c.op_counts[usize(la64::Op::SETX86J)]);
    if (groups == 0) std::printf("FAIL: the LBT strategy ran no LBT flag operation\n");
    return groups != 0;
  }
  bool init(const std::string& name) {
    if (name == "interp") return true;
    if (name != "sim" && name != "sim-lbt") {
      std::fprintf(stderr, "x86-diff: unknown executor %s (interp, sim, sim-lbt)\n", name.c_str());
      return false;
    }
    lbt = name == "sim-lbt";
    sim = std::make_unique<la64sim::SimBackend>();
    std::string err;
    if (!sim->init(&err, false, lbt, 0)) {
      std::fprintf(stderr, "x86-diff: simulator: %s\n", err.c_str());
      return false;
    }
    return true;
  }
};

struct FamilyStats {
  u64 cases = 0, compared = 0, unsupported = 0, mismatches = 0, undefined_differs = 0;
  u64 native_de = 0, native_fault = 0, native_ud = 0, lost = 0;
  u64 undefined_flag_bits = 0;   // RFLAGS bits seen differing outside the compared mask
  u32 undefined_regs = 0;        // GPRs seen differing outside the strict set
  bool undefined_memory = false;
};

std::string hex_bytes(const u8* p, int n) {
  std::string s;
  char b[4];
  for (int i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    if (i) s += ' ';
    s += b;
  }
  return s;
}

std::string disassemble(const u8* code, int len) {
  static x86::Decoder dec;
  std::string out;
  int off = 0;
  while (off < len) {
    x86::DecodedInsn d;
    if (!dec.decode(code + off, usize(len - off), kCodeAddr + u64(off), d)) {
      out += "(undecodable)";
      break;
    }
    FixedText<128> t;
    dec.format(d, t);
    if (!out.empty()) out += "; ";
    out += t.c_str();
    off += d.insn.length;
  }
  return out;
}

void print_state(const char* title, const State& s) {
  std::printf("  %s rip=%#" PRIx64 " rflags=%#" PRIx64 " fs_base=%#" PRIx64 " gs_base=%#" PRIx64 "\n", title, s.rip,
              s.rflags, s.fs_base, s.gs_base);
  for (int i = 0; i < 16; ++i)
    std::printf("%s%-3s=%016" PRIx64 "%s", i % 4 == 0 ? "    " : " ", gpr_name(i), s.gpr[i], i % 4 == 3 ? "\n" : "");
}

void print_case(const Case& c, const Outcome& n, const BmbtOutcome& b, const Verdict& v, const char* headline) {
  std::printf("%s: family %s, form \"%s\", seed %" PRIu64 " case %" PRIu64 "   (reproduce: x86-diff --seed %" PRIu64
              " --case %" PRIu64 ")\n",
              headline, family_name(c.family), c.form.c_str(), c.seed, c.index, c.seed, c.index);
  std::printf("  bytes: %s\n  insn:  %s\n", hex_bytes(c.code, c.code_len).c_str(), disassemble(c.code, c.code_len).c_str());
  print_state("input: ", c.in);
  std::printf("  memory: window %#" PRIx64 "+%#" PRIx64 " = fill(mem_seed %#" PRIx64 ")", kWindowBase, kWindowSize, c.mem_seed);
  for (int i = 0; i < c.n_patches; ++i)
    std::printf(", [%#" PRIx64 "]=%s", kWindowBase + c.patches[i].offset, hex_bytes(c.patches[i].bytes, c.patches[i].len).c_str());
  std::printf("\n  compared: rflags mask %#" PRIx64 ", strict GPRs %#x, strict memory %d\n", c.flags_mask, c.strict_regs,
              int(c.strict_memory));
  std::printf("  native: exit %s (signal %d, addr %#" PRIx64 ")\n", exit_kind_name(n.kind), n.signal, n.fault_addr);
  print_state("native:", n.out);
  std::printf("  bmbt:   exit %s (%s)\n", exit_kind_name(b.kind), b.exit_text.c_str());
  print_state("bmbt:  ", b.out);
  std::printf("%s", v.detail.c_str());
}

// ---- corpus writing -------------------------------------------------------------------------

class CorpusWriter {
 public:
  bool open(const std::string& path) {
    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) return false;
    std::vector<u8> h(corpus::kMagic, corpus::kMagic + 8);
    put32(h, corpus::kVersion);
    put32(h, corpus::kHeaderBytes);
    put64(h, kWindowBase);
    put64(h, kWindowSize);
    put64(h, kCodeAddr);
    return std::fwrite(h.data(), 1, h.size(), f_) == h.size();
  }
  ~CorpusWriter() { if (f_) std::fclose(f_); }
  bool active() const { return f_ != nullptr; }
  u64 written() const { return n_; }

  void write(const Case& c, const Outcome& o) {
    std::vector<u8> r;
    put32(r, 0);
    put16(r, u16(c.family));
    r.push_back(u8(c.n_insns));
    r.push_back(u8(c.code_len));
    r.push_back(u8(o.kind));
    r.push_back(u8(c.n_patches));
    r.push_back(c.strict_memory ? 1 : 0);
    r.push_back(0);
    put32(r, c.strict_regs);
    put64(r, c.flags_mask);
    put64(r, c.seed);
    put64(r, c.index);
    put64(r, c.mem_seed);
    put_state(r, c.in);
    put_state(r, o.out);
    r.insert(r.end(), c.code, c.code + c.code_len);
    for (int i = 0; i < c.n_patches; ++i) {
      put16(r, c.patches[i].offset);
      r.push_back(c.patches[i].len);
      r.insert(r.end(), c.patches[i].bytes, c.patches[i].bytes + c.patches[i].len);
    }
    static u8 before[kWindowSize];
    fill_window(c.mem_seed, c.patches, c.n_patches, before);
    std::vector<u8> delta;
    u16 n = 0;
    for (u64 i = 0; i < kWindowSize; ++i)
      if (before[i] != o.window[i]) { put16(delta, u16(i)); delta.push_back(o.window[i]); ++n; }
    put16(r, n);
    r.insert(r.end(), delta.begin(), delta.end());
    u32 size = u32(r.size());
    std::memcpy(r.data(), &size, 4);
    std::fwrite(r.data(), 1, r.size(), f_);
    ++n_;
  }

 private:
  static void put16(std::vector<u8>& v, u16 x) { v.push_back(u8(x)); v.push_back(u8(x >> 8)); }
  static void put32(std::vector<u8>& v, u32 x) { for (int i = 0; i < 4; ++i) v.push_back(u8(x >> (8 * i))); }
  static void put64(std::vector<u8>& v, u64 x) { for (int i = 0; i < 8; ++i) v.push_back(u8(x >> (8 * i))); }
  static void put_state(std::vector<u8>& v, const State& s) {
    for (u64 g : s.gpr) put64(v, g);
    put64(v, s.rip);
    put64(v, s.rflags);
    put64(v, s.fs_base);
    put64(v, s.gs_base);
  }
  FILE* f_ = nullptr;
  u64 n_ = 0;
};

// ---- reports --------------------------------------------------------------------------------

void print_family_table(const std::vector<FamilyStats>& fs) {
  std::printf("\n%-14s %9s %9s %11s %9s %11s %8s %8s %6s  %s\n", "family", "cases", "compared", "unsupported", "mismatch",
              "undef-diff", "nat #DE", "nat #PF", "lost", "undefined results seen differing");
  FamilyStats t;
  for (unsigned f = 0; f < fs.size(); ++f) {
    const FamilyStats& s = fs[f];
    std::string undef;
    static const struct { u64 bit; const char* name; } kFlagNames[] = {
        {kCF, "CF"}, {kPF, "PF"}, {kAF, "AF"}, {kZF, "ZF"}, {kSF, "SF"}, {kOF, "OF"}, {kDF, "DF"}};
    for (auto& fl : kFlagNames)
      if (s.undefined_flag_bits & fl.bit) undef += std::string(undef.empty() ? "" : ",") + fl.name;
    for (int r = 0; r < 16; ++r)
      if (s.undefined_regs & (1u << r)) undef += std::string(undef.empty() ? "" : ",") + gpr_name(r);
    if (s.undefined_memory) undef += std::string(undef.empty() ? "" : ",") + "memory";
    std::printf("%-14s %9" PRIu64 " %9" PRIu64 " %11" PRIu64 " %9" PRIu64 " %11" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6" PRIu64 "  %s%s\n",
                family_name(Family(f)), s.cases, s.compared, s.unsupported, s.mismatches, s.undefined_differs,
                s.native_de, s.native_fault, s.lost, undef.c_str(), s.mismatches ? "   <-- MISMATCH" : "");
    t.cases += s.cases; t.compared += s.compared; t.unsupported += s.unsupported; t.mismatches += s.mismatches;
    t.undefined_differs += s.undefined_differs; t.native_de += s.native_de; t.native_fault += s.native_fault; t.lost += s.lost;
  }
  std::printf("%-14s %9" PRIu64 " %9" PRIu64 " %11" PRIu64 " %9" PRIu64 " %11" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6" PRIu64 "\n",
              "TOTAL", t.cases, t.compared, t.unsupported, t.mismatches, t.undefined_differs, t.native_de, t.native_fault, t.lost);
}

void print_features(const u64* counts, u64 total) {
  std::printf("\nencoding distribution (cases with the feature, of %" PRIu64 "):\n", total);
  for (int b = 0; b < int(kFeatCount); ++b)
    std::printf("  %-8s %9" PRIu64 " (%4.1f%%)%s", feature_name(b), counts[b], total ? 100.0 * double(counts[b]) / double(total) : 0.0,
                b % 4 == 3 ? "\n" : "");
  std::printf("\n");
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) { std::fprintf(stderr, "x86-diff: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--seed") o.seed = std::strtoull(val(), nullptr, 0);
    else if (a == "--cases") o.cases = std::strtoull(val(), nullptr, 0);
    else if (a == "--first") o.first = std::strtoull(val(), nullptr, 0);
    else if (a == "--case") { o.first = std::strtoull(val(), nullptr, 0); o.cases = 1; o.single = true; }
    else if (a == "--family") {
      o.family = family_by_name(val());
      if (o.family == Family::kCount) { std::fprintf(stderr, "x86-diff: unknown family %s\n", argv[i]); return false; }
    } else if (a == "--record") o.record = val();
    else if (a == "--replay") o.replay = val();
    else if (a == "--max-reports") o.max_reports = std::atoi(val());
    else if (a == "--no-capstone") o.capstone = false;
    else if (a == "--executor") o.executor = val();
    else {
      std::fprintf(stderr,
                   "usage: x86-diff [--seed S] [--cases N] [--first K] [--family NAME] [--record FILE] [--max-reports M] "
                   "[--no-capstone] [--executor interp|sim|sim-lbt]\n       x86-diff --seed S --case N\n       x86-diff --replay FILE "
                   "[--executor ...]\n");
      return false;
    }
  }
  return true;
}

// Runs a recorded corpus through BMBT and compares with the recorded native outcomes.
int replay(const Options& o) {
  std::vector<u8> data;
  if (!read_corpus_file(o.replay.c_str(), &data)) return 2;
  Executor ex;
  if (!ex.init(o.executor)) return 2;
  BmbtRunner bmbt(ex.sim.get(), ex.lbt);
  u64 reported = 0;
  ReplayCounts c = replay_corpus(data, bmbt, [&](const corpus::Vector& v, const BmbtOutcome&, const Verdict& verdict, u64 at) {
    if (reported++ >= u64(o.max_reports)) return;
    std::printf("MISMATCH in corpus vector %" PRIu64 " (seed %" PRIu64 " case %" PRIu64 ", family %s): %s\n%s", at, v.seed,
                v.index, family_name(Family(v.family)), disassemble(v.code, v.code_len).c_str(), verdict.detail.c_str());
  });
  if (c.malformed) {
    std::fprintf(stderr, "x86-diff: %s is not a corpus of this layout or has a malformed record after %" PRIu64 " vectors\n",
                 o.replay.c_str(), c.total);
    return 2;
  }
  std::printf("replayed %" PRIu64 " vectors: %" PRIu64 " compared, %" PRIu64 " unsupported, %" PRIu64 " mismatches\n",
              c.total, c.compared, c.unsupported, c.mismatches);
  const bool exercised = ex.print_expansion();
  return c.mismatches || c.total == 0 || !exercised ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) return 2;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (!o.replay.empty()) return replay(o);

  NativeRunner native;
  Executor ex;
  if (!ex.init(o.executor)) return 2;
  BmbtRunner bmbt(ex.sim.get(), ex.lbt);
  CapstoneCheck capstone;
  CorpusWriter corpus;
  if (!o.record.empty() && !corpus.open(o.record)) { std::perror(o.record.c_str()); return 2; }
  std::vector<FamilyStats> fs(unsigned(Family::kCount));
  u64 features[kFeatCount] = {};
  u64 reports = 0, total = 0;
  std::vector<Case> batch;
  std::vector<Outcome> outcomes(NativeRunner::kBatch);
  const u64 end = o.first + o.cases;
  const u64 progress_every = o.cases >= 5000000 ? 1000000 : 0;
  u64 index = o.first;
  while (index < end) {
    batch.clear();
    while (index < end && batch.size() < usize(NativeRunner::kBatch)) {
      Case c = make_case(o.seed, index++);
      if (o.family != Family::kCount && c.family != o.family && !o.single) continue;
      batch.push_back(std::move(c));
    }
    if (o.family != Family::kCount && !o.single && batch.empty()) continue;
    native.run(batch.data(), int(batch.size()), outcomes.data());
    for (usize i = 0; i < batch.size(); ++i) {
      const Case& c = batch[i];
      const Outcome& n = outcomes[i];
      FamilyStats& s = fs[unsigned(c.family)];
      ++s.cases;
      ++total;
      for (int b = 0; b < int(kFeatCount); ++b) features[b] += (c.features >> b) & 1;
      if (o.capstone) capstone.check(c.code, c.code_len);
      if (n.kind == ExitKind::kOther) { ++s.lost; continue; }
      s.native_de += n.kind == ExitKind::kDivideError;
      s.native_fault += n.kind == ExitKind::kMemFault;
      s.native_ud += n.kind == ExitKind::kInvalidOpcode;
      if (corpus.active()) corpus.write(c, n);
      BmbtOutcome b = bmbt.run(c);
      Verdict v;
      if (b.unsupported) {
        ++s.unsupported;
      } else {
        ++s.compared;
        v = compare_outcomes(n.kind, n.out, n.window, b.kind, b.out, b.window,
                             Expectation{c.flags_mask, c.strict_regs, c.strict_memory});
        s.mismatches += v.mismatch;
        s.undefined_differs += v.undefined_differs;
        if (v.undefined_differs) {
          s.undefined_flag_bits |= (n.out.rflags ^ b.out.rflags) & (kArithFlags | kDF) & ~c.flags_mask;
          for (int r = 0; r < 16; ++r)
            if (n.out.gpr[r] != b.out.gpr[r] && !((c.strict_regs >> r) & 1)) s.undefined_regs |= 1u << r;
          if (!c.strict_memory && std::memcmp(n.window, b.window, kWindowSize) != 0) s.undefined_memory = true;
        }
      }
      if (o.single) {
        print_case(c, n, b, v, b.unsupported ? "UNSUPPORTED" : v.mismatch ? "MISMATCH" : "OK");
      } else if (v.mismatch && reports < u64(o.max_reports)) {
        ++reports;
        print_case(c, n, b, v, "MISMATCH");
      }
    }
    if (progress_every && total / progress_every != (total - batch.size()) / progress_every)
      std::printf("... %" PRIu64 " cases\n", total);
  }

  if (!o.single) {
    print_family_table(fs);
    print_features(features, total);
    if (o.capstone) capstone.print_summary();
  }
  if (corpus.active()) std::printf("corpus: %" PRIu64 " vectors written to %s\n", corpus.written(), o.record.c_str());

  u64 mismatches = 0, lost = 0;
  int empty_families = 0;
  for (unsigned f = 0; f < fs.size(); ++f) {
    mismatches += fs[f].mismatches;
    lost += fs[f].lost;
    if (fs[f].cases == 0) ++empty_families;
  }
  bool coverage_ok = o.family != Family::kCount || o.single || o.cases < 10000 || empty_families == 0;
  bool capstone_ok = !o.capstone || (capstone.length_mismatches() == 0 && capstone.register_mismatches() == 0);
  const bool exercised = ex.print_expansion();
  std::printf("\nseed %" PRIu64 ": %" PRIu64 " cases, %" PRIu64 " mismatches, %" PRIu64 " lost%s%s -> %s\n", o.seed, total,
              mismatches, lost, coverage_ok ? "" : ", some family never generated",
              capstone_ok ? "" : ", Zydis/Capstone disagreement",
              mismatches == 0 && lost == 0 && coverage_ok && capstone_ok && exercised ? "PASS" : "FAIL");
  return mismatches == 0 && lost == 0 && coverage_ok && capstone_ok && exercised ? 0 : 1;
}
