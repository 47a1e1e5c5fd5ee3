// bmbt: run an x86-64 guest on this host (hosted builds: x86-64 Linux with the IR
// interpreter, LoongArch64 Linux with the JIT). Options follow QEMU's names where they exist.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "boot/flat_image.h"
#include "engine/engine.h"
#include "engine/interpreter.h"
#include "platform/linux-common/linux_host.h"
#include "platform/platform.h"

using namespace bmbt;

namespace {

constexpr const char* kUsage =
    "usage: bmbt -kernel IMAGE [options]\n"
    "Runs an x86-64 guest image on BMBT.\n"
    "\n"
    "  -kernel FILE       guest image (today: a flat demo image, see docs/guest-image-format.md)\n"
    "  -m SIZE            guest RAM, with optional K/M/G suffix (default 128M)\n"
    "  -accel ACCEL[,lbt=on|off|auto]\n"
    "                     jit | interp (default: jit where this host can run LoongArch code, else interp);\n"
    "                     lbt: x86 flags through the LoongArch LBT extension (auto: when the CPU has it)\n"
    "  -d LIST            trace categories, comma separated; -d help lists them\n"
    "  -D FILE            write traces and statistics to FILE instead of stderr\n"
    "  -max-insns N       stop after about N guest instructions (a safety net for tests)\n"
    "  -serial stdio      guest COM1 on standard output (the only choice today)\n"
    "  -nographic         accepted for QEMU compatibility (BMBT has no display)\n"
    "  -h, -help          this text\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "bmbt: %s\n(bmbt -help lists the options)\n", msg.c_str());
  std::exit(2);
}

bool parse_size(const char* s, u64* out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 0);
  if (errno || end == s) return false;
  u64 mult = 1 << 20;  // QEMU: a bare number means MiB
  if (*end) {
    switch (*end) {
      case 'k': case 'K': mult = 1ull << 10; break;
      case 'm': case 'M': mult = 1ull << 20; break;
      case 'g': case 'G': mult = 1ull << 30; break;
      default: return false;
    }
    if (end[1] && !((end[1] == 'B' || end[1] == 'b') && !end[2])) return false;
  }
  *out = v * mult;
  return v != 0;
}

bool read_file(const char* path, std::vector<u8>* data, std::string* err) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) { *err = std::string("cannot open '") + path + "': " + std::strerror(errno); return false; }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = std::string("'") + path + "' is not a regular file";
    close(fd);
    return false;
  }
  data->resize(usize(st.st_size));
  usize got = 0;
  while (got < data->size()) {
    ssize_t n = read(fd, data->data() + got, data->size() - got);
    if (n <= 0) { *err = std::string("error reading '") + path + "'"; close(fd); return false; }
    got += usize(n);
  }
  close(fd);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const char* kernel = nullptr;
  u64 ram_size = 128ull << 20;
  std::string accel;
  std::string lbt = "auto";
  engine::EngineConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') a = a.substr(1);  // --kernel == -kernel
    auto value = [&](const char* what) -> const char* {
      if (i + 1 >= argc) usage_error("option " + a + " needs " + what);
      return argv[++i];
    };
    if (a == "-kernel") {
      kernel = value("a file name");
    } else if (a == "-m") {
      const char* v = value("a size");
      if (!parse_size(v, &ram_size)) usage_error(std::string("bad memory size '") + v + "'");
      if (ram_size < (2ull << 20)) usage_error("guest RAM must be at least 2M");
    } else if (a == "-accel") {
      std::string spec = value("jit or interp");
      accel = spec.substr(0, spec.find(','));
      if (accel != "jit" && accel != "interp") usage_error("unknown accelerator '" + accel + "' (jit or interp)");
      for (usize at = spec.find(','); at != std::string::npos;) {
        usize end = spec.find(',', at + 1);
        std::string prop = spec.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
        if (prop == "lbt=on" || prop == "lbt=off" || prop == "lbt=auto") lbt = prop.substr(4);
        else usage_error("unknown -accel property '" + prop + "' (lbt=on|off|auto)");
        at = end;
      }
    } else if (a == "-d") {
      FixedText<1024> err;
      if (!engine::parse_trace_flags(value("a category list"), &config.trace, err)) {
        std::fprintf(stderr, "bmbt: %s\n", err.c_str());
        return 2;
      }
    } else if (a == "-D") {
      const char* path = value("a file name");
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) usage_error(std::string("cannot create log file '") + path + "': " + std::strerror(errno));
      platform::set_log_fd(fd);
    } else if (a == "-max-insns") {
      config.max_guest_insns = std::strtoull(value("a count"), nullptr, 0);
    } else if (a == "-serial") {
      std::string v = value("a backend");
      if (v != "stdio") usage_error("only -serial stdio is supported");
    } else if (a == "-nographic") {
    } else if (a == "-h" || a == "-help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      usage_error("unknown option '" + a + "'");
    }
  }
  if (!kernel) usage_error("no guest: give -kernel IMAGE");
  // Counting executed instructions costs a few host instructions per block: only when asked for.
  config.count_insns = config.max_guest_insns != 0 || (config.trace & engine::kTraceStats);

  std::vector<u8> image;
  std::string err;
  if (!read_file(kernel, &image, &err)) {
    std::fprintf(stderr, "bmbt: %s\n", err.c_str());
    return 1;
  }

  auto machine = std::make_unique<devices::Machine>();
  u8* ram = static_cast<u8*>(platform::alloc_pages(ram_size));
  if (!ram) {
    std::fprintf(stderr, "bmbt: cannot allocate %llu MiB of guest RAM\n", (unsigned long long)(ram_size >> 20));
    return 1;
  }
  machine->memory.attach_ram(ram, ram_size);
  u64 entry = 0;
  FixedText<512> load_err;
  if (!boot::load_flat_image(*machine, image.data(), image.size(), &entry, load_err)) {
    std::fprintf(stderr, "bmbt: %s: %s\n", kernel, load_err.c_str());
    return 1;
  }

  // Flag strategy. The LBT extension is detected at start-up (HWCAP bit 10 on Linux, CPUCFG2 bit
  // 18 on bare metal): lbt=auto uses it when the CPU has it, lbt=on insists (an error without it),
  // lbt=off keeps the software strategy. The strategy belongs to the JIT; the interpreter always
  // computes flags in software.
  const bool host_lbt = platform::host_features().lbt;
  if (lbt == "on" && !host_lbt) {
    std::fprintf(stderr, "bmbt: -accel lbt=on: this CPU has no LBT extension (%s)\n",
                 la64::JitBackend::host_can_execute() ? "HWCAP bit 10 is clear" : "not a LoongArch host");
    return 2;
  }

  // Executor: the JIT where LoongArch code can run, else the IR interpreter.
  std::unique_ptr<la64::JitBackend> jit;
  std::unique_ptr<engine::InterpreterBackend> interp;
  std::vector<ir::Inst> ir_pool;
  engine::ExecBackend* exec = nullptr;
  bool can_jit = la64::JitBackend::host_can_execute();
  if (accel.empty()) accel = can_jit ? "jit" : "interp";
  if (accel != "jit" && lbt == "on") {
    std::fprintf(stderr, "bmbt: -accel %s,lbt=on: the LBT flag strategy is the JIT's; use -accel jit,lbt=on\n", accel.c_str());
    return 2;
  }
  const bool use_lbt = accel == "jit" && host_lbt && lbt != "off";
  config.limits.flag_groups = use_lbt;
  if (accel == "jit") {
    if (!can_jit) {
      std::fprintf(stderr, "bmbt: -accel jit needs a LoongArch64 host; this build runs guests with -accel interp\n");
      return 2;
    }
    jit = std::make_unique<la64::JitBackend>();
    FixedText<256> jit_err;
    if (!jit->init(jit_err, config.count_insns, use_lbt)) {
      std::fprintf(stderr, "bmbt: %s\n", jit_err.c_str());
      return 1;
    }
    exec = jit.get();
  } else {
    ir_pool.resize(1 << 20);
    interp = std::make_unique<engine::InterpreterBackend>(ir_pool.data(), ir_pool.size());
    exec = interp.get();
  }
  la64::Lister lister(config.count_insns, use_lbt);

  auto eng = std::make_unique<engine::Engine>(*machine, *exec, &lister, config);
  eng->vcpu().cpu.regs[kRIP] = entry;
  engine::StopKind stop = eng->run();
  switch (stop) {
    case engine::StopKind::kHalted: return 0;
    case engine::StopKind::kGuestError: return 1;
    case engine::StopKind::kInsnLimit: return 4;
    case engine::StopKind::kInternal: return 3;
  }
  return 3;
}
