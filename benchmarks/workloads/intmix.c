/*
 * intmix: an integer mix in the style of CoreMark, written for this project: linked-list
 * processing (find, reverse, merge sort), small matrix arithmetic, a character state machine
 * that classifies number-like tokens, and a bitwise CRC-16 folding everything together.
 * Self-checks: the sorted list is ordered and complete, reversing twice restores it, the matrix
 * product matches a second computation order, the state machine's token counts add up.
 */
#include "bench.h"

/* ---------------------------------------------------------------- CRC-16 (CCITT, bitwise) */

static u16 crc16_byte(u16 crc, u8 b)
{
    crc ^= (u16)b << 8;
    for (int i = 0; i < 8; i++)
        crc = (crc & 0x8000) ? (u16)(crc << 1) ^ 0x1021 : (u16)(crc << 1);
    return crc;
}

static u16 crc16_u32(u16 crc, u32 v)
{
    crc = crc16_byte(crc, (u8)v);
    crc = crc16_byte(crc, (u8)(v >> 8));
    crc = crc16_byte(crc, (u8)(v >> 16));
    return crc16_byte(crc, (u8)(v >> 24));
}

/* ---------------------------------------------------------------- list */

#define LIST_NODES 256

struct item {
    struct item *next;
    s32 key;
    u16 tag;
};

static struct item items[LIST_NODES];

static struct item *list_build(u64 *seed)
{
    struct item *head = 0;
    for (int i = LIST_NODES - 1; i >= 0; i--) {
        items[i].key = (s32)(bench_rand(seed) >> 40) - (1 << 23);
        items[i].tag = (u16)i;
        items[i].next = head;
        head = &items[i];
    }
    return head;
}

static struct item *list_reverse(struct item *head)
{
    struct item *prev = 0;
    while (head) {
        struct item *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static const struct item *list_find(const struct item *head, u16 tag)
{
    while (head && head->tag != tag)
        head = head->next;
    return head;
}

/* Bottom-up merge sort of a singly linked list by key (stable). */
static struct item *list_sort(struct item *head)
{
    for (usize width = 1;; width *= 2) {
        struct item *p = head, *tail = 0;
        head = 0;
        usize merges = 0;
        while (p) {
            merges++;
            struct item *q = p;
            usize psize = 0;
            while (psize < width && q) {
                psize++;
                q = q->next;
            }
            usize qsize = width;
            while (psize || (qsize && q)) {
                struct item *e;
                if (!psize) {
                    e = q; q = q->next; qsize--;
                } else if (!qsize || !q || p->key <= q->key) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1)
            return head;
    }
}

static u16 bench_list(u64 *seed, u16 crc)
{
    struct item *head = list_build(seed);
    for (u16 t = 0; t < LIST_NODES; t += 37) {
        const struct item *found = list_find(head, t);
        crc = crc16_u32(crc, found ? (u32)found->key : 0xffffffffu);
    }
    head = list_reverse(head);
    crc = crc16_u32(crc, head->tag);
    head = list_reverse(head);
    if (head->tag != 0)
        bench_fail("intmix: reversing twice did not restore the list");
    head = list_sort(head);
    usize n = 0;
    u32 tag_sum = 0;
    for (const struct item *p = head; p; p = p->next, n++) {
        if (p->next && p->key > p->next->key)
            bench_fail("intmix: list not sorted");
        tag_sum += p->tag;
        crc = crc16_u32(crc, (u32)p->key);
    }
    if (n != LIST_NODES || tag_sum != LIST_NODES * (LIST_NODES - 1) / 2)
        bench_fail("intmix: sorted list lost nodes");
    return crc;
}

/* ---------------------------------------------------------------- matrix */

#define MAT 16

static s16 mat_a[MAT][MAT], mat_b[MAT][MAT];
static s32 mat_c[MAT][MAT];

static u16 bench_matrix(u64 *seed, u16 crc)
{
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            u64 r = bench_rand(seed);
            mat_a[i][j] = (s16)(r >> 52) - 2048;
            mat_b[i][j] = (s16)(r >> 20 & 0xfff) - 2048;
        }
    /* C = A * B (row-major, i-j-k). */
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            s32 acc = 0;
            for (int k = 0; k < MAT; k++)
                acc += (s32)mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = acc;
        }
    /* Cross-check: sum(C) == sum_k (column sums of A)_k * (row sums of B)_k. */
    s64 total = 0, check = 0;
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++)
            total += mat_c[i][j];
    for (int k = 0; k < MAT; k++) {
        s64 col = 0, row = 0;
        for (int i = 0; i < MAT; i++) {
            col += mat_a[i][k];
            row += mat_b[k][i];
        }
        check += col * row;
    }
    if (total != check)
        bench_fail("intmix: matrix product sum mismatch");
    /* Scale by a constant, extract bit fields, add a constant: more CoreMark-like traffic. */
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            s32 v = mat_c[i][j] * 3 + (s32)i - (s32)j;
            crc = crc16_u32(crc, (u32)(v >> 2 & 0xffff) ^ (u32)(v >> 5 & 0x7f));
        }
    return crc;
}

/* ---------------------------------------------------------------- state machine */

enum state { S_START, S_SIGN, S_INT, S_DOT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT, S_BAD, S_COUNT };

static const char alphabet[16] = "0123456789+-.eE,";

static NOINLINE void classify(const u8 *text, usize n, u32 *finals, u32 *transitions)
{
    enum state s = S_START;
    for (usize i = 0; i <= n; i++) {
        u8 c = i < n ? text[i] : ',';
        if (c == ',') {
            finals[s]++;
            s = S_START;
            continue;
        }
        int digit = c >= '0' && c <= '9';
        enum state next = S_BAD;
        switch (s) {
        case S_START:    next = digit ? S_INT : (c == '+' || c == '-') ? S_SIGN : c == '.' ? S_DOT : S_BAD; break;
        case S_SIGN:     next = digit ? S_INT : c == '.' ? S_DOT : S_BAD; break;
        case S_INT:      next = digit ? S_INT : c == '.' ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_BAD; break;
        case S_DOT:      next = digit ? S_FRAC : S_BAD; break;
        case S_FRAC:     next = digit ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_BAD; break;
        case S_EXP:      next = digit ? S_EXP_INT : (c == '+' || c == '-') ? S_EXP_SIGN : S_BAD; break;
        case S_EXP_SIGN: next = digit ? S_EXP_INT : S_BAD; break;
        case S_EXP_INT:  next = digit ? S_EXP_INT : S_BAD; break;
        default:         next = S_BAD; break;
        }
        if (next != s)
            transitions[s]++;
        s = next;
    }
}

#define TEXT 2048
static u8 text[TEXT];

static u16 bench_state(u64 *seed, u16 crc)
{
    usize commas = 0;
    for (usize i = 0; i < TEXT; i++) {
        u64 r = bench_rand(seed);
        /* Mostly digits, so long valid numbers appear as well as garbage. */
        u8 c = (r >> 60) < 10 ? alphabet[(r >> 32 & 0xffff) * 10 >> 16] : alphabet[r >> 60];
        text[i] = c;
        commas += c == ',';
    }
    u32 finals[S_COUNT] = {0}, transitions[S_COUNT] = {0};
    classify(text, TEXT, finals, transitions);
    u32 tokens = 0;
    for (int s = 0; s < S_COUNT; s++) {
        tokens += finals[s];
        crc = crc16_u32(crc, finals[s] << 16 | transitions[s]);
    }
    if (tokens != commas + 1)
        bench_fail("intmix: state machine lost tokens");
    return crc;
}

BENCH_WORKLOAD("intmix", 3, 75)
{
    u64 sum = 0xcbf29ce484222325ull;
    u64 seed = opaque(0xbe5466cf34e90c6cull);
    for (u64 it = 0; it < iters; it++) {
        u16 crc = 0xffff;
        for (int rep = 0; rep < 8; rep++) {
            crc = bench_list(&seed, crc);
            crc = bench_matrix(&seed, crc);
            crc = bench_state(&seed, crc);
        }
        sum = bench_mix(sum, crc);
    }
    return sum;
}
