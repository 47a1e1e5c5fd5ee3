// bmbt-simrun: boots a flat x86-64 guest image on BMBT's real engine (translation, chaining, jump
// cache, helpers) with the LoongArch JIT's code executed in the in-tree simulator on this x86-64
// host, and reports exact dynamic counts: LoongArch instructions executed per guest instruction,
// where they ran, host calls, returns to the engine by reason, the most executed instructions.
// The guest's serial output goes to stdout, the statistics to stderr (and --json FILE).
// Machine and loader are tools/bmbt's. See docs/la64-simulator.md and docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "boot/flat_image.h"
#include "engine/engine.h"
#include "platform/platform.h"
#include "sim_backend.h"

using namespace bmbt;

namespace {

constexpr const char* kUsage =
    "usage: bmbt-simrun [options] IMAGE\n"
    "Runs a flat x86-64 guest image on BMBT with the LoongArch JIT's code executed in the simulator\n"
    "and prints exact counts of the LoongArch instructions executed.\n"
    "\n"
    "  -kernel FILE          the guest image (or give it as the last argument)\n"
    "  -m SIZE               guest RAM in MiB, or with a K/M/G suffix (default 128M)\n"
    "  --count-insns         generate the counting code bmbt uses for -d stats / -max-insns (blocks\n"
    "                        charge the budget); the engine's counter is then checked against ours\n"
    "  --lbt                 the LBT flag strategy (executed by the simulator; no hardware needed)\n"
    "  --max-la-insns N      give up after N simulated LoongArch instructions (default: no limit)\n"
    "  --top N               list the N most executed LoongArch instructions (default 15)\n"
    "  --json FILE           also write the statistics as JSON\n"
    "  -d LIST               bmbt's trace categories (e.g. in_asm,out_asm); -d help lists them\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "bmbt-simrun: %s\n%s", msg.c_str(), kUsage);
  std::exit(2);
}

bool parse_size(const std::string& s, uint64_t* out) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (end == s.c_str() || v == 0) return false;
  uint64_t mult = 1 << 20;
  if (*end == 'k' || *end == 'K') mult = 1ull << 10, ++end;
  else if (*end == 'm' || *end == 'M') mult = 1ull << 20, ++end;
  else if (*end == 'g' || *end == 'G') mult = 1ull << 30, ++end;
  if (*end) return false;
  *out = v * mult;
  return true;
}

double per(uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0.0; }

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string json_map(const std::map<std::string, uint64_t>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (!v) continue;
    if (out.size() > 1) out += ", ";
    out += "\"" + json_escape(k) + "\": " + std::to_string(v);
  }
  return out + "}";
}

std::string text_list(const std::map<std::string, uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) {
    if (!v) continue;
    out += (out.empty() ? "" : "; ") + k + " " + std::to_string(v);
  }
  return out.empty() ? "none" : out;
}

const char* const kMnemonics[] = {
#define LA64_INSN(ident, mnem, fmt, bits) mnem,
#include "backend-la64/la64.inc"
#undef LA64_INSN
};

}  // namespace

int main(int argc, char** argv) {
  std::string kernel, json_path;
  uint64_t ram_size = 128ull << 20, max_la_insns = 0;
  bool count_insns = false, lbt = false;
  int top = 15;
  engine::EngineConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> std::string {
      if (i + 1 >= argc) usage_error("option " + a + " needs " + what);
      return argv[++i];
    };
    if (a == "-kernel" || a == "--kernel") kernel = value("a file name");
    else if (a == "-m") {
      std::string v = value("a size");
      if (!parse_size(v, &ram_size) || ram_size < (2ull << 20)) usage_error("bad memory size '" + v + "' (at least 2M)");
    } else if (a == "--count-insns") count_insns = true;
    else if (a == "--lbt") lbt = true;
    else if (a == "--max-la-insns") max_la_insns = std::strtoull(value("a count").c_str(), nullptr, 0);
    else if (a == "--top") top = std::atoi(value("a count").c_str());
    else if (a == "--json") json_path = value("a file name");
    else if (a == "-d") {
      FixedText<1024> err;
      if (!engine::parse_trace_flags(value("a category list").c_str(), &config.trace, err)) {
        std::fprintf(stderr, "bmbt-simrun: %s\n", err.c_str());
        return 2;
      }
    } else if (a == "-h" || a == "--help" || a == "-help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] != '-' && kernel.empty()) kernel = a;
    else usage_error("unknown option '" + a + "'");
  }
  if (kernel.empty()) usage_error("no guest image given");
  config.count_insns = count_insns;
  config.limits.flag_groups = lbt;

  std::ifstream in(kernel, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "bmbt-simrun: cannot open '%s'\n", kernel.c_str());
    return 1;
  }
  std::vector<u8> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  // The machine tools/bmbt builds: guest RAM, COM1 on the console (stdout), the flat loader.
  auto machine = std::make_unique<devices::Machine>();
  u8* ram = static_cast<u8*>(platform::alloc_pages(ram_size));
  if (!ram) {
    std::fprintf(stderr, "bmbt-simrun: cannot allocate %llu MiB of guest RAM\n", (unsigned long long)(ram_size >> 20));
    return 1;
  }
  machine->memory.attach_ram(ram, ram_size);
  u64 entry = 0;
  FixedText<512> load_err;
  if (!boot::load_flat_image(*machine, image.data(), image.size(), &entry, load_err)) {
    std::fprintf(stderr, "bmbt-simrun: %s: %s\n", kernel.c_str(), load_err.c_str());
    return 1;
  }

  auto backend = std::make_unique<la64sim::SimBackend>();
  std::string init_err;
  if (!backend->init(&init_err, count_insns, lbt, max_la_insns)) {
    std::fprintf(stderr, "bmbt-simrun: %s\n", init_err.c_str());
    return 1;
  }
  la64::Lister lister(count_insns, lbt);
  auto eng = std::make_unique<engine::Engine>(*machine, *backend, &lister, config);
  eng->vcpu().cpu.regs[kRIP] = entry;
  const auto t0 = std::chrono::steady_clock::now();
  engine::StopKind stop = eng->run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fflush(stdout);

  const engine::Stats& st = eng->stats();
  const la64sim::SimCounts c = backend->counts();
  const uint64_t la_total = c.block_insns + c.trampoline_insns;
  uint64_t host_calls = 0;
  for (const auto& [k, v] : c.host_calls) host_calls += v;
  uint64_t returns = 0;
  for (const auto& [k, v] : c.returns) returns += v;
  eng->print_stats();
  std::fprintf(stderr, "simrun: guest instructions executed %llu (%llu blocks entered; counted per block, as the engine counts)\n",
               (unsigned long long)c.guest_insns, (unsigned long long)c.block_entries);
  std::fprintf(stderr, "simrun: LoongArch instructions executed %llu: translated blocks %llu, trampoline and stubs %llu\n",
               (unsigned long long)la_total, (unsigned long long)c.block_insns, (unsigned long long)c.trampoline_insns);
  std::fprintf(stderr, "simrun: LoongArch instructions per guest instruction %.3f (translated blocks %.3f, trampoline and stubs %.3f)\n",
               per(la_total, c.guest_insns), per(c.block_insns, c.guest_insns), per(c.trampoline_insns, c.guest_insns));
  std::fprintf(stderr, "simrun: host calls %llu (%.3f per 1000 guest instructions): %s\n", (unsigned long long)host_calls,
               1000 * per(host_calls, c.guest_insns), text_list(c.host_calls).c_str());
  std::fprintf(stderr, "simrun: returns to the engine %llu: %s\n", (unsigned long long)returns, text_list(c.returns).c_str());
  std::fprintf(stderr, "simrun: blocks translated %llu, guest instructions translated %llu, LoongArch instructions emitted %llu, chained exits %llu, code flushes %llu\n",
               (unsigned long long)st.blocks_translated, (unsigned long long)st.guest_insns_translated,
               (unsigned long long)st.host_insns_emitted, (unsigned long long)st.chained, (unsigned long long)st.cache_flushes);
  std::vector<std::pair<uint64_t, size_t>> ops;
  for (size_t i = 0; i < c.op_counts.size(); ++i) {
    if (c.op_counts[i]) ops.emplace_back(c.op_counts[i], i);
  }
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (top > 0 && !ops.empty()) {
    std::string line;
    for (size_t i = 0; i < ops.size() && int(i) < top; ++i) {
      char buf[80];
      std::snprintf(buf, sizeof(buf), "%s%s %.1f%%", i ? ", " : "", kMnemonics[ops[i].second], 100 * per(ops[i].first, la_total));
      line += buf;
    }
    std::fprintf(stderr, "simrun: most executed: %s\n", line.c_str());
  }
  std::fprintf(stderr, "simrun: simulated in %.2f s (%.1f M LoongArch instructions/s)\n", seconds, per(la_total, 1) / seconds / 1e6);

  int status = 3;
  switch (stop) {
    case engine::StopKind::kHalted: status = 0; break;
    case engine::StopKind::kGuestError: status = 1; break;
    case engine::StopKind::kInsnLimit: status = 4; break;
    case engine::StopKind::kInternal: status = 3; break;
  }
  // With counting code the engine counts too: both must agree (the per-block counting above is
  // what the harness uses when the counting code is not generated).
  if (count_insns && st.guest_insns_executed != c.guest_insns) {
    std::fprintf(stderr, "bmbt-simrun: the engine counted %llu guest instructions, the simulator %llu\n",
                 (unsigned long long)st.guest_insns_executed, (unsigned long long)c.guest_insns);
    status = 3;
  }

  if (!json_path.empty()) {
    FILE* f = std::fopen(json_path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "bmbt-simrun: cannot write '%s'\n", json_path.c_str());
      return 1;
    }
    std::string top_ops = "{";
    for (size_t i = 0; i < ops.size() && int(i) < std::max(top, 0); ++i)
      top_ops += std::string(i ? ", " : "") + "\"" + kMnemonics[ops[i].second] + "\": " + std::to_string(ops[i].first);
    top_ops += "}";
    std::fprintf(f,
                 "{\"image\": \"%s\", \"status\": %d, \"count_insns\": %s, \"lbt\": %s,\n"
                 " \"guest_insns\": %llu, \"block_entries\": %llu,\n"
                 " \"la_insns\": %llu, \"la_block_insns\": %llu, \"la_trampoline_insns\": %llu,\n"
                 " \"la_per_guest\": %.4f, \"la_block_per_guest\": %.4f,\n"
                 " \"host_calls\": %s,\n \"returns\": %s,\n"
                 " \"blocks_translated\": %llu, \"guest_insns_translated\": %llu, \"la_insns_emitted\": %llu,\n"
                 " \"chained\": %llu, \"dispatches\": %llu, \"cache_flushes\": %llu,\n"
                 " \"top_ops\": %s, \"seconds\": %.3f}\n",
                 json_escape(kernel).c_str(), status, count_insns ? "true" : "false", lbt ? "true" : "false",
                 (unsigned long long)c.guest_insns, (unsigned long long)c.block_entries, (unsigned long long)la_total,
                 (unsigned long long)c.block_insns, (unsigned long long)c.trampoline_insns, per(la_total, c.guest_insns),
                 per(c.block_insns, c.guest_insns), json_map(c.host_calls).c_str(), json_map(c.returns).c_str(),
                 (unsigned long long)st.blocks_translated, (unsigned long long)st.guest_insns_translated,
                 (unsigned long long)st.host_insns_emitted, (unsigned long long)st.chained,
                 (unsigned long long)st.dispatches, (unsigned long long)st.cache_flushes, top_ops.c_str(), seconds);
    std::fclose(f);
  }
  return status;
}
