/*
 * interp: a bytecode interpreter loop (register VM, 32-bit instructions, switch dispatch through a
 * jump table) running two programs: Collatz step counts for 1..K and a sieve of Eratosthenes in
 * the VM's own memory. The dispatch is the classic indirect-branch-heavy pattern of interpreters.
 * Self-check: both programs' results equal the same computations written directly in C.
 */
#include "bench.h"

enum op {
    OP_HALT, OP_LI, OP_MOV, OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR,
    OP_ADDI, OP_LT, OP_EQ, OP_LD, OP_ST, OP_JMP, OP_JZ, OP_JNZ,
};

/* op | a << 8 | b << 16 | c << 24; LI/ADDI/jumps use b,c as one signed 16-bit immediate. */
#define I(op, a, b, c) ((u32)(op) | (u32)(a) << 8 | (u32)(b) << 16 | (u32)(c) << 24)
#define IMM(op, a, imm) ((u32)(op) | (u32)(a) << 8 | ((u32)(u16)(s16)(imm)) << 16)

#define VM_MEM 8192
static u64 vm_mem[VM_MEM];

static NOINLINE u64 run_vm(const u32 *code, u64 *r)
{
    u64 executed = 0;
    usize pc = 0;
    for (;;) {
        u32 insn = code[pc++];
        u32 a = insn >> 8 & 0xff, b = insn >> 16 & 0xff, c = insn >> 24;
        s64 imm = (s16)(insn >> 16);
        executed++;
        switch (insn & 0xff) {
        case OP_HALT: return executed;
        case OP_LI:   r[a] = (u64)imm; break;
        case OP_MOV:  r[a] = r[b]; break;
        case OP_ADD:  r[a] = r[b] + r[c]; break;
        case OP_SUB:  r[a] = r[b] - r[c]; break;
        case OP_MUL:  r[a] = r[b] * r[c]; break;
        case OP_AND:  r[a] = r[b] & r[c]; break;
        case OP_OR:   r[a] = r[b] | r[c]; break;
        case OP_XOR:  r[a] = r[b] ^ r[c]; break;
        case OP_SHL:  r[a] = r[b] << (r[c] & 63); break;
        case OP_SHR:  r[a] = r[b] >> (r[c] & 63); break;
        case OP_ADDI: r[a] = r[a] + (u64)imm; break;
        case OP_LT:   r[a] = r[b] < r[c]; break;
        case OP_EQ:   r[a] = r[b] == r[c]; break;
        case OP_LD:   r[a] = vm_mem[r[b] & (VM_MEM - 1)]; break;
        case OP_ST:   vm_mem[r[b] & (VM_MEM - 1)] = r[a]; break;
        case OP_JMP:  pc += (usize)imm; break;
        case OP_JZ:   if (!r[a]) pc += (usize)imm; break;
        case OP_JNZ:  if (r[a]) pc += (usize)imm; break;
        default:      bench_fail("interp: bad opcode"); return executed;
        }
    }
}

/* r1 = K (input); result: r2 = sum of Collatz step counts of 1..K.
 * Jump offsets are relative to the instruction after the jump. */
static const u32 collatz[] = {
    /* 0 */ IMM(OP_LI, 2, 0),          /* total = 0 */
    /* 1 */ IMM(OP_LI, 3, 1),          /* n = 1 */
    /* 2 */ IMM(OP_LI, 8, 1),          /* one = 1 */
    /* loop_n: */
    /* 3 */ I(OP_LT, 4, 1, 3),         /* t = K < n */
    /* 4 */ IMM(OP_JNZ, 4, 12),        /* -> 17 halt */
    /* 5 */ I(OP_MOV, 5, 3, 0),        /* x = n */
    /* loop_x: */
    /* 6 */ I(OP_EQ, 4, 5, 8),         /* t = x == 1 */
    /* 7 */ IMM(OP_JNZ, 4, 7),         /* -> 15 next n */
    /* 8 */ IMM(OP_ADDI, 2, 1),        /* total++ */
    /* 9 */ I(OP_AND, 6, 5, 8),        /* odd = x & 1 */
    /* 10 */ IMM(OP_JZ, 6, 2),         /* -> 13 even */
    /* 11 */ I(OP_ADD, 7, 5, 5),       /* x = 3x + 1 */
    /* 12 */ IMM(OP_JMP, 0, 19),       /* -> 32 odd tail (out of line, exercises both jump directions) */
    /* even: */
    /* 13 */ I(OP_SHR, 5, 5, 8),       /* x >>= 1 */
    /* 14 */ IMM(OP_JMP, 0, -9),       /* -> 6 */
    /* next_n: */
    /* 15 */ IMM(OP_ADDI, 3, 1),
    /* 16 */ IMM(OP_JMP, 0, -14),      /* -> 3 */
    /* 17 */ I(OP_HALT, 0, 0, 0),
    /* 18..31: padding never executed */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* odd tail: x = x + 2x + 1 (r7 holds 2x) */
    /* 32 */ I(OP_ADD, 5, 5, 7),
    /* 33 */ I(OP_ADD, 5, 5, 8),
    /* 34 */ IMM(OP_JMP, 0, -29),      /* -> 6 */
};

/* r1 = limit (<= VM_MEM); result: r2 = number of primes below limit. */
static const u32 sieve[] = {
    /* 0 */ IMM(OP_LI, 3, 2),          /* i = 2 */
    /* 1 */ IMM(OP_LI, 9, 0),          /* zero */
    /* 2 */ IMM(OP_LI, 10, 1),         /* one */
    /* clear: mem[i] = 0 for i in 0..limit */
    /* 3 */ IMM(OP_LI, 4, 0),
    /* 4 */ I(OP_ST, 9, 4, 0),
    /* 5 */ IMM(OP_ADDI, 4, 1),
    /* 6 */ I(OP_LT, 5, 4, 1),
    /* 7 */ IMM(OP_JNZ, 5, -4),        /* -> 4 */
    /* 8 */ IMM(OP_LI, 2, 0),          /* count = 0 */
    /* outer: */
    /* 9 */ I(OP_LT, 5, 3, 1),         /* i < limit ? */
    /* 10 */ IMM(OP_JZ, 5, 11),        /* -> 22 halt */
    /* 11 */ I(OP_LD, 6, 3, 0),        /* composite? */
    /* 12 */ IMM(OP_JNZ, 6, 7),        /* -> 20 next i */
    /* 13 */ IMM(OP_ADDI, 2, 1),       /* count++ */
    /* 14 */ I(OP_MUL, 7, 3, 3),       /* j = i * i */
    /* inner: */
    /* 15 */ I(OP_LT, 5, 7, 1),
    /* 16 */ IMM(OP_JZ, 5, 3),         /* -> 20 */
    /* 17 */ I(OP_ST, 10, 7, 0),       /* mem[j] = 1 */
    /* 18 */ I(OP_ADD, 7, 7, 3),       /* j += i */
    /* 19 */ IMM(OP_JMP, 0, -5),       /* -> 15 */
    /* next_i: */
    /* 20 */ IMM(OP_ADDI, 3, 1),
    /* 21 */ IMM(OP_JMP, 0, -13),      /* -> 9 */
    /* 22 */ I(OP_HALT, 0, 0, 0),
};

static u64 collatz_in_c(u64 k)
{
    u64 total = 0;
    for (u64 n = 1; n <= k; n++)
        for (u64 x = n; x != 1; total++)
            x = (x & 1) ? 3 * x + 1 : x >> 1;
    return total;
}

static u64 sieve_in_c(u64 limit)
{
    static u8 composite[VM_MEM];
    memset(composite, 0, sizeof(composite));
    u64 count = 0;
    for (u64 i = 2; i < limit; i++) {
        if (composite[i])
            continue;
        count++;
        for (u64 j = i * i; j < limit; j += i)
            composite[j] = 1;
    }
    return count;
}

BENCH_WORKLOAD("interp", 2, 40)
{
    u64 sum = 0xcbf29ce484222325ull;
    for (u64 it = 0; it < iters; it++) {
        u64 r[16];
        for (int i = 0; i < 16; i++)
            r[i] = 0;
        r[1] = opaque(400 + it);
        u64 steps = run_vm(collatz, r);
        if (r[2] != collatz_in_c(r[1]))
            bench_fail("interp: collatz result differs from C");
        sum = bench_mix(sum, r[2]);
        sum = bench_mix(sum, steps);

        for (int i = 0; i < 16; i++)
            r[i] = 0;
        r[1] = opaque(VM_MEM / 2 - (it & 255));
        steps = run_vm(sieve, r);
        if (r[2] != sieve_in_c(r[1]))
            bench_fail("interp: sieve result differs from C");
        sum = bench_mix(sum, r[2]);
        sum = bench_mix(sum, steps);
    }
    return sum;
}
