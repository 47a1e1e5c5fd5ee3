// x86-native-runner: the native oracle for BMBT's flat x86-64 guest images.
//
// Runs a flat guest image (docs/guest-image-format.md) directly on the x86-64
// host CPU, in user mode, inside a forked child process:
//   * the image is copied to an RWX mapping at its load address (0x100000)
//     and entered at its first byte;
//   * port I/O and HLT are privileged in user mode, so they raise #GP, which
//     Linux delivers as SIGSEGV. A handler running on an alternate signal
//     stack decodes the faulting instruction, emulates it and resumes:
//       out dx,al / out imm8,al (and the ax/eax forms) to 0x3f8 -> stdout
//       in  al,dx / in al,imm8 (and the ax/eax forms) -> LSR 0x3fd reads
//         0x60 (transmitter empty), other ports read all ones
//       hlt -> the guest is finished: exit status 0
//   * any other fault is reported with the signal, RIP and instruction bytes.
// The parent waits for the child with a timeout and kills it if it expires.
//
// Host-only tool (Linux x86-64); it is not part of BMBT itself.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#if !defined(__x86_64__) || !defined(__linux__)
#error "x86-native-runner only works on x86-64 Linux hosts"
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace {

constexpr uint16_t kSerialData = 0x3f8;
constexpr uint16_t kSerialLsr = 0x3fd;
constexpr int kExitGuestFault = 3;
constexpr int kExitSetupError = 4;

// State shared with the signal handler (child process only). Written before
// the guest starts and never changed afterwards.
uintptr_t g_region_base = 0;
size_t g_region_size = 0;
bool g_trace_io = false;

// ----- async-signal-safe output helpers ------------------------------------

void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
}

// Small fixed buffer formatter usable inside the signal handler.
struct SigBuf {
    char data[512];
    size_t len = 0;

    void str(const char *s)
    {
        while (*s && len < sizeof(data))
            data[len++] = *s++;
    }
    void hex(uint64_t v, int min_digits = 1)
    {
        char tmp[16];
        int n = 0;
        do {
            tmp[n++] = "0123456789abcdef"[v & 15];
            v >>= 4;
        } while (v != 0 || n < min_digits);
        while (n > 0 && len < sizeof(data))
            data[len++] = tmp[--n];
    }
    void dec(int64_t v)
    {
        char tmp[24];
        int n = 0;
        bool neg = v < 0;
        uint64_t u = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        do {
            tmp[n++] = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (neg)
            str("-");
        while (n > 0 && len < sizeof(data))
            data[len++] = tmp[--n];
    }
    void flush(int fd)
    {
        write_all(fd, data, len);
        len = 0;
    }
};

const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGTRAP: return "SIGTRAP";
    default: return "signal";
    }
}

bool rip_readable(uintptr_t rip, size_t n)
{
    return rip >= g_region_base && rip - g_region_base + n <= g_region_size;
}

[[noreturn]] void guest_fault(int sig, const siginfo_t *info, const ucontext_t *uc, const char *why)
{
    const greg_t *gr = uc->uc_mcontext.gregs;
    uintptr_t rip = static_cast<uintptr_t>(gr[REG_RIP]);
    SigBuf b;
    b.str("x86-native-runner: guest fault: ");
    b.str(signal_name(sig));
    b.str(" (");
    b.dec(sig);
    b.str(") si_code=");
    b.dec(info->si_code);
    b.str(" addr=0x");
    b.hex(reinterpret_cast<uintptr_t>(info->si_addr));
    b.str(": ");
    b.str(why);
    b.str("\n  rip=0x");
    b.hex(rip);
    b.str(" bytes:");
    if (rip_readable(rip, 1)) {
        size_t avail = g_region_size - (rip - g_region_base);
        for (size_t i = 0; i < 15 && i < avail; i++) {
            b.str(" ");
            b.hex(reinterpret_cast<const uint8_t *>(rip)[i], 2);
        }
    } else {
        b.str(" <rip outside the guest region>");
    }
    b.flush(2);
    static const struct { const char *name; int reg; } regs[] = {
        {"rax", REG_RAX}, {"rbx", REG_RBX}, {"rcx", REG_RCX}, {"rdx", REG_RDX},
        {"rsi", REG_RSI}, {"rdi", REG_RDI}, {"rbp", REG_RBP}, {"rsp", REG_RSP},
        {"r8", REG_R8},   {"r9", REG_R9},   {"r10", REG_R10}, {"r11", REG_R11},
        {"r12", REG_R12}, {"r13", REG_R13}, {"r14", REG_R14}, {"r15", REG_R15},
    };
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        b.str(i % 4 == 0 ? "\n  " : "  ");
        b.str(regs[i].name);
        b.str("=0x");
        b.hex(static_cast<uint64_t>(gr[regs[i].reg]), 16);
    }
    b.str("\n");
    b.flush(2);
    _exit(kExitGuestFault);
}

void trace_io(const char *dir, uint16_t port, uint32_t value, int size)
{
    if (!g_trace_io)
        return;
    SigBuf b;
    b.str("[io] ");
    b.str(dir);
    b.str(" port=0x");
    b.hex(port, 4);
    b.str(" size=");
    b.dec(size);
    b.str(" value=0x");
    b.hex(value, size * 2);
    b.str("\n");
    b.flush(2);
}

void emulate_out(uint16_t port, uint32_t value, int size)
{
    if (size == 1)
        value &= 0xff;
    else if (size == 2)
        value &= 0xffff;
    trace_io("out", port, value, size);
    if (port == kSerialData) {
        char c = static_cast<char>(value & 0xff);
        write_all(1, &c, 1);
    }
    // Writes to any other port are ignored (the 16550's other registers,
    // for instance); --trace-io shows them.
}

uint32_t emulate_in(uint16_t port, int size)
{
    uint32_t v;
    if (port == kSerialLsr)
        v = 0x60;  // THR empty + transmitter empty: the guest may send
    else
        v = 0xffffffffu;
    if (size == 1)
        v &= 0xff;
    else if (size == 2)
        v &= 0xffff;
    trace_io("in ", port, v, size);
    return v;
}

void set_acc(greg_t *gr, uint32_t v, int size)
{
    uint64_t rax = static_cast<uint64_t>(gr[REG_RAX]);
    if (size == 1)
        rax = (rax & ~0xffull) | (v & 0xff);
    else if (size == 2)
        rax = (rax & ~0xffffull) | (v & 0xffff);
    else
        rax = v;  // 32-bit destination zero-extends
    gr[REG_RAX] = static_cast<greg_t>(rax);
}

void fault_handler(int sig, siginfo_t *info, void *ctx)
{
    auto *uc = static_cast<ucontext_t *>(ctx);
    greg_t *gr = uc->uc_mcontext.gregs;
    uintptr_t rip = static_cast<uintptr_t>(gr[REG_RIP]);

    if (sig != SIGSEGV)
        guest_fault(sig, info, uc, "unexpected signal");
    if (!rip_readable(rip, 1))
        guest_fault(sig, info, uc, "fault outside the guest image region");

    const uint8_t *p = reinterpret_cast<const uint8_t *>(rip);
    size_t avail = g_region_size - (rip - g_region_base);
    size_t len = 0;
    bool opsize16 = false;
    if (p[0] == 0x66 && avail >= 2) {
        opsize16 = true;
        len = 1;
    }
    uint8_t op = p[len];
    int wide = opsize16 ? 2 : 4;  // size of the ax/eax forms

    switch (op) {
    case 0xf4:  // hlt
        if (opsize16)
            break;
        _exit(0);
    case 0xee:  // out dx, al
    case 0xef:  // out dx, ax/eax
    {
        int size = op == 0xee ? 1 : wide;
        if (op == 0xee && opsize16)
            break;
        emulate_out(static_cast<uint16_t>(gr[REG_RDX]), static_cast<uint32_t>(gr[REG_RAX]), size);
        gr[REG_RIP] = static_cast<greg_t>(rip + len + 1);
        return;
    }
    case 0xe6:  // out imm8, al
    case 0xe7:  // out imm8, ax/eax
    {
        if (avail < len + 2 || (op == 0xe6 && opsize16))
            break;
        int size = op == 0xe6 ? 1 : wide;
        emulate_out(p[len + 1], static_cast<uint32_t>(gr[REG_RAX]), size);
        gr[REG_RIP] = static_cast<greg_t>(rip + len + 2);
        return;
    }
    case 0xec:  // in al, dx
    case 0xed:  // in ax/eax, dx
    {
        if (op == 0xec && opsize16)
            break;
        int size = op == 0xec ? 1 : wide;
        set_acc(gr, emulate_in(static_cast<uint16_t>(gr[REG_RDX]), size), size);
        gr[REG_RIP] = static_cast<greg_t>(rip + len + 1);
        return;
    }
    case 0xe4:  // in al, imm8
    case 0xe5:  // in ax/eax, imm8
    {
        if (avail < len + 2 || (op == 0xe4 && opsize16))
            break;
        int size = op == 0xe4 ? 1 : wide;
        set_acc(gr, emulate_in(p[len + 1], size), size);
        gr[REG_RIP] = static_cast<greg_t>(rip + len + 2);
        return;
    }
    default:
        break;
    }
    guest_fault(sig, info, uc, "not an emulated port I/O or hlt instruction");
}

// ----- child: load and run the guest ---------------------------------------

[[noreturn]] void run_guest(const std::vector<uint8_t> &image, uintptr_t load_addr)
{
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t size = (image.size() + page - 1) / page * page + 64 * 1024;
    if (size < (1u << 20))
        size = 1u << 20;

    void *want = reinterpret_cast<void *>(load_addr);
    void *mem = mmap(want, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (mem == MAP_FAILED || mem != want) {
        std::fprintf(stderr, "x86-native-runner: cannot map %zu bytes at 0x%lx: %s\n", size,
                     static_cast<unsigned long>(load_addr),
                     mem == MAP_FAILED ? std::strerror(errno) : "kernel chose another address");
        std::fprintf(stderr, "  (check /proc/sys/vm/mmap_min_addr and that the address is free)\n");
        _exit(kExitSetupError);
    }
    std::memcpy(mem, image.data(), image.size());
    g_region_base = load_addr;
    g_region_size = size;

    // The handler must not run on the guest's stack.
    static std::vector<uint8_t> altstack(256 * 1024);
    stack_t ss{};
    ss.ss_sp = altstack.data();
    ss.ss_size = altstack.size();
    ss.ss_flags = 0;
    if (sigaltstack(&ss, nullptr) != 0) {
        std::perror("x86-native-runner: sigaltstack");
        _exit(kExitSetupError);
    }

    struct sigaction sa{};
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) {
        if (sigaction(sig, &sa, nullptr) != 0) {
            std::perror("x86-native-runner: sigaction");
            _exit(kExitSetupError);
        }
    }

    std::fflush(nullptr);
    // Enter the guest at its first byte. The guest sets up its own stack
    // and never returns (it ends with hlt, which exits this process).
    auto entry = reinterpret_cast<void (*)()>(load_addr);
    entry();
    std::fprintf(stderr, "x86-native-runner: guest returned to the runner (no hlt)\n");
    _exit(kExitGuestFault);
}

// ----- parent ---------------------------------------------------------------

[[noreturn]] void usage(const char *argv0, int code)
{
    std::fprintf(code ? stderr : stdout,
                 "usage: %s IMAGE [--load-addr ADDR] [--timeout SECONDS] [--trace-io]\n"
                 "  Runs a flat BMBT guest image natively (x86-64 Linux host).\n"
                 "  --load-addr ADDR   guest load/entry address (default 0x100000)\n"
                 "  --timeout SECONDS  kill the guest after this long (default 10)\n"
                 "  --trace-io         log every emulated port access to stderr\n"
                 "Exit status: 0 = guest executed hlt, %d = guest fault, %d = setup error,\n"
                 "             124 = timeout, 2 = usage error.\n",
                 argv0, kExitGuestFault, kExitSetupError);
    std::exit(code);
}

bool read_file(const char *path, std::vector<uint8_t> &out)
{
    FILE *f = std::fopen(path, "rb");
    if (!f)
        return false;
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
        out.insert(out.end(), buf, buf + n);
    bool ok = !std::ferror(f);
    std::fclose(f);
    return ok;
}

bool parse_u64(const char *s, uint64_t &v)
{
    char *end = nullptr;
    errno = 0;
    unsigned long long x = std::strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0')
        return false;
    v = x;
    return true;
}

}  // namespace

int main(int argc, char **argv)
{
    const char *image_path = nullptr;
    uint64_t load_addr = 0x100000;
    double timeout_s = 10.0;

    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            usage(argv[0], 0);
        } else if (a == "--load-addr" && i + 1 < argc) {
            if (!parse_u64(argv[++i], load_addr) || load_addr == 0 || (load_addr & 0xfff) != 0) {
                std::fprintf(stderr, "x86-native-runner: bad --load-addr '%s' (page-aligned, nonzero)\n", argv[i]);
                return 2;
            }
        } else if (a == "--timeout" && i + 1 < argc) {
            char *end = nullptr;
            timeout_s = std::strtod(argv[++i], &end);
            if (end == argv[i] || *end != '\0' || !(timeout_s > 0)) {
                std::fprintf(stderr, "x86-native-runner: bad --timeout '%s'\n", argv[i]);
                return 2;
            }
        } else if (a == "--trace-io") {
            g_trace_io = true;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "x86-native-runner: unknown or incomplete option '%s'\n", a.c_str());
            usage(argv[0], 2);
        } else if (!image_path) {
            image_path = argv[i];
        } else {
            usage(argv[0], 2);
        }
    }
    if (!image_path)
        usage(argv[0], 2);

    std::vector<uint8_t> image;
    if (!read_file(image_path, image)) {
        std::fprintf(stderr, "x86-native-runner: cannot read '%s': %s\n", image_path, std::strerror(errno));
        return kExitSetupError;
    }
    if (image.empty()) {
        std::fprintf(stderr, "x86-native-runner: '%s' is empty\n", image_path);
        return kExitSetupError;
    }

    std::fflush(nullptr);
    pid_t child = fork();
    if (child < 0) {
        std::perror("x86-native-runner: fork");
        return kExitSetupError;
    }
    if (child == 0)
        run_guest(image, static_cast<uintptr_t>(load_addr));

    // Parent: poll for the child's exit until the deadline.
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int status = 0;
        pid_t r = waitpid(child, &status, WNOHANG);
        if (r < 0 && errno != EINTR) {
            std::perror("x86-native-runner: waitpid");
            kill(child, SIGKILL);
            return kExitSetupError;
        }
        if (r == child) {
            if (WIFEXITED(status)) {
                int code = WEXITSTATUS(status);
                if (code != 0 && code != kExitGuestFault && code != kExitSetupError)
                    std::fprintf(stderr, "x86-native-runner: child exited with status %d\n", code);
                return code;
            }
            if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                std::fprintf(stderr, "x86-native-runner: child killed by signal %d (%s)\n", sig, strsignal(sig));
                return 128 + sig;
            }
            continue;
        }
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = static_cast<double>(now.tv_sec - start.tv_sec) +
                         static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
        if (elapsed >= timeout_s) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            std::fprintf(stderr, "x86-native-runner: timeout: guest did not halt within %g s; killed\n",
                         timeout_s);
            return 124;
        }
        timespec nap{0, 2 * 1000 * 1000};  // 2 ms
        nanosleep(&nap, nullptr);
    }
}
