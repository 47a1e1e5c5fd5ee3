/*
 * BMBT skeleton guest program.
 *
 * A small, freestanding, deterministic x86-64 program that exercises the
 * basic integer instruction set: loops, calls (with recursion), push/pop,
 * signed and unsigned compares, memory operands on stack/.data/.bss arrays
 * including read-modify-write, shifts, multiplies. Output goes to the COM1
 * data port 0x3f8 one byte at a time; the entry stub executes `hlt` when
 * main returns.
 *
 * Rules for this file (see docs/guest-image-format.md): no division or
 * modulo by anything but powers of two, no rotates, no switch statements
 * (no jump tables), no function pointers, no large struct copies, no
 * floating point. Check `objdump -d` after every change.
 */
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t  s64;
typedef uint32_t u32;
typedef int32_t  s32;
typedef uint16_t u16;
typedef uint8_t  u8;
typedef int8_t   s8;

#define NOINLINE __attribute__((noinline, noclone))
#define COM1 0x3f8

/* Hide a value from the optimiser so calls with constant arguments are not
 * folded away at compile time (emits no instruction). */
static inline u64 opaque(u64 v)
{
    __asm__("" : "+r"(v));
    return v;
}

/* ------------------------------------------------------------------ I/O */

static inline void outb(u16 port, u8 v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port) : "memory");
}

static NOINLINE void putc_serial(char c)
{
    outb(COM1, (u8)c);
}

static NOINLINE void puts_serial(const char *s)
{
    while (*s)
        putc_serial(*s++);
}

static const char hex_digits[16] = "0123456789abcdef";

static NOINLINE void put_hex64(u64 v)
{
    putc_serial('0');
    putc_serial('x');
    for (int shift = 60; shift >= 0; shift -= 4)
        putc_serial(hex_digits[(v >> shift) & 15]);
}

static NOINLINE void report(const char *label, u64 v)
{
    puts_serial(label);
    put_hex64(v);
    putc_serial('\n');
}

/* ------------------------------------------------------------ data/bss */

/* .data: initialised, signed values with negatives to separate signed and
 * unsigned comparisons */
static s32 table_data[24] = {
    5, -3, 17, 0, -100, 42, 7, -1, 2147483647, -2147483647 - 1, 99, -42,
    1000, 3, -7, 65536, -65536, 12, 255, -255, 8, -8, 77, 31,
};

static s8 small_bytes[16] = {
    1, -1, 127, -128, 64, -64, 3, -3, 0, 100, -100, 50, -50, 9, -9, 33,
};

static const char message[] = "The quick brown fox jumps over the lazy dog";

/* .bss: zero at start, updated with read-modify-write operations */
static u32 histogram[16];
static u64 bss_accum[8];
static u16 bss_halves[32];

/* --------------------------------------------------------------- mixing */

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static NOINLINE u64 xorshift64(void)
{
    u64 x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static NOINLINE u64 mix(u64 h, u64 v)
{
    h ^= v;
    h *= 0x100000001b3ULL;          /* FNV-1a 64-bit prime */
    h ^= h >> 29;
    return h;
}

/* ------------------------------------------------------------ recursion */

static NOINLINE u32 fib(u32 n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

/* Real, non-tail recursion: every level keeps a small array in its own
 * stack frame and reads it again after the recursive call returns. */
static NOINLINE u64 deep(u32 n, u64 carry)
{
    u64 local[4];
    for (u32 i = 0; i < 4; i++)
        local[i] = carry + (u64)i * n;
    if (n == 0)
        return local[3];
    u64 r = deep(n - 1, local[n & 3] ^ (carry >> 1));
    local[(n + 1) & 3] += r;             /* RMW on this frame's array */
    return local[0] ^ local[1] ^ local[2] ^ local[3];
}

/* binary GCD: shifts and subtraction only */
static NOINLINE u64 gcd(u64 a, u64 b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    if (((a | b) & 1) == 0)
        return gcd(a >> 1, b >> 1) << 1;
    if ((a & 1) == 0)
        return gcd(a >> 1, b);
    if ((b & 1) == 0)
        return gcd(a, b >> 1);
    if (a >= b)
        return gcd((a - b) >> 1, b);
    return gcd((b - a) >> 1, a);
}

/* ------------------------------------------------------ sorting (stack) */

static NOINLINE void swap_s32(s32 *a, s32 *b)
{
    s32 t = *a;
    *a = *b;
    *b = t;
}

static NOINLINE void quicksort(s32 *v, s32 lo, s32 hi)
{
    if (lo >= hi)
        return;
    s32 pivot = v[hi];
    s32 i = lo;
    for (s32 j = lo; j < hi; j++) {
        if (v[j] < pivot) {
            swap_s32(&v[i], &v[j]);
            i++;
        }
    }
    swap_s32(&v[i], &v[hi]);
    quicksort(v, lo, i - 1);
    quicksort(v, i + 1, hi);
}

static NOINLINE u64 sort_test(void)
{
    s32 arr[40];
    for (int i = 0; i < 40; i++)
        arr[i] = (s32)((u32)(xorshift64() >> 20) - (1u << 30));
    quicksort(arr, 0, 39);

    u64 h = 0;
    int ordered = 1;
    for (int i = 0; i < 40; i++) {
        if (i > 0 && arr[i - 1] > arr[i])
            ordered = 0;
        h = mix(h, (u64)(u32)arr[i]);
    }
    return mix(h, (u64)ordered);
}

/* -------------------------------------------- signed/unsigned compares */

static NOINLINE u64 compare_test(s32 pivot)
{
    u64 acc = 0;
    u64 flags = 0;
    for (int i = 0; i < 24; i++) {
        s32 v = table_data[i];
        flags += (u64)(v <= pivot);     /* setcc */
        flags += (u64)(v == 0) << 4;
        if (v < pivot)
            acc = acc * 3 + 1;
        else
            acc = acc + (u64)(u32)v;
        if ((u32)v < (u32)pivot)
            acc ^= (u64)i << 8;
        else
            acc = acc - (u64)i;
        if (v > 0 && (u32)v >= 0x10000u)
            acc += 0x1000;
        if (v == pivot)
            acc ^= 0xdeadbeefULL;
    }
    return acc ^ (flags << 48);
}

/* Read-modify-write on the .data array (keeps it writable data, not
 * .rodata) and on a .data byte array. */
static NOINLINE void scramble_data(void)
{
    for (int i = 0; i < 24; i++)
        table_data[i] = (s32)((u32)table_data[i] + (u32)(table_data[(i + 5) & 15] >> 2));
    for (int i = 0; i < 16; i++)
        small_bytes[i] ^= (s8)(i << 3);
}

static NOINLINE s64 byte_test(void)
{
    s64 sum = 0;
    u64 usum = 0;
    for (int i = 0; i < 16; i++) {
        s8 b = small_bytes[i];
        sum += b;                        /* movsx */
        usum += (u8)b;                   /* movzx */
        if (b < 0)
            sum -= (s64)i * 5;
    }
    return sum * 1000 + (s64)usum;
}

static NOINLINE u64 abs_not_test(void)
{
    u64 acc = 0;
    for (int i = 0; i < 24; i++) {
        s64 v = table_data[i];
        s64 a = v < 0 ? -v : v;          /* neg */
        acc += (u64)a;
        acc = ~(acc ^ (u64)v);
        acc += (u64)v & ~(acc >> 7);     /* not + and */
        acc += (u64)(v >> 3);            /* sar */
    }
    return acc;
}

/* ----------------------------------------------------- bss and strings */

static NOINLINE u64 histogram_test(void)
{
    for (int i = 0; i < 200; i++) {
        u64 r = xorshift64();
        histogram[r & 15] += 1;          /* RMW on .bss */
        bss_accum[(r >> 8) & 7] += r >> 40;
        bss_halves[(r >> 16) & 31] ^= (u16)r;
    }
    u64 h = 0;
    for (int i = 0; i < 16; i++)
        h = mix(h, histogram[i]);
    for (int i = 0; i < 8; i++)
        h = mix(h, bss_accum[i]);
    for (int i = 0; i < 32; i++)
        h = mix(h, bss_halves[i]);
    return h;
}

static NOINLINE u32 count_letters(const char *s, u32 *vowels)
{
    u32 letters = 0;
    u32 v = 0;
    for (; *s; s++) {
        u8 c = (u8)*s;
        if ((u8)(c - 'a') < 26 || (u8)(c - 'A') < 26)
            letters++;
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u')
            v++;
    }
    *vowels = v;
    return letters;
}

static NOINLINE u64 shift_test(u64 seed)
{
    u64 acc = seed;
    for (unsigned i = 0; i < 64; i++) {
        u64 x = acc ^ (u64)i;
        acc += x << (i & 63);            /* shl by cl */
        acc ^= x >> ((i * 7) & 63);      /* shr by cl */
        acc += (u64)((s64)x >> (i & 31)); /* sar by cl */
    }
    return acc;
}

/* ------------------------------------------------------------------ main */

int main(void)
{
    u64 checksum = 0xcbf29ce484222325ULL; /* FNV offset basis */
    u64 v;

    puts_serial("BMBT skeleton guest\n");

    v = ((u64)fib((u32)opaque(15)) << 32) | deep((u32)opaque(40), 0x1234);
    report("recursion: ", v);
    checksum = mix(checksum, v);

    v = gcd(opaque(1071u * 64), 462u * 48) + gcd(opaque(0x123456789aULL), 0x1000);
    report("gcd: ", v);
    checksum = mix(checksum, v);

    v = sort_test();
    report("sort: ", v);
    checksum = mix(checksum, v);

    v = compare_test((s32)opaque(7)) ^ (compare_test((s32)opaque((u64)-8)) << 1);
    report("compare: ", v);
    checksum = mix(checksum, v);

    scramble_data();
    v = (u64)byte_test() + abs_not_test();
    report("bytes: ", v);
    checksum = mix(checksum, v);

    v = histogram_test();
    report("memory: ", v);
    checksum = mix(checksum, v);

    u32 vowels;
    u32 letters = count_letters(message, &vowels);
    v = shift_test(((u64)letters << 16) | vowels);
    report("shifts: ", v);
    checksum = mix(checksum, v);

    report("checksum: ", checksum);
    puts_serial("done\n");
    return 0;
}
