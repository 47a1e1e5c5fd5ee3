#!/usr/bin/env python3
"""Prints la64.inc lines for new instructions, taking the fixed bits from llvm-mc (the authority).

Usage:  echo 'DJK add.w add.d' | tests/backend-la64/la64_table_helper.py
Each input line is a format name from la64_formats.inc followed by mnemonics.  Every operand is
assembled as zero (register 0, immediate 0, alsl's shift as 1, csrxchg's rj as $r2, which is then
removed), so the word llvm-mc prints is the fixed bits.  Also reports overlaps with the existing table:
an overlap means decode() order decides, which needs a look.  la64_llvm_check then proves the lines.
"""
import os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', '..', 'src', 'backend-la64')
MC = os.environ.get('LLVM_MC', 'llvm-mc-19')

def formats():
    fmts = {}
    for line in open(os.path.join(SRC, 'la64_formats.inc')):
        m = re.match(r'LA64_FORMAT\((\w+),\s*(\w+),\s*(\d),\s*(.*)\)\s*$', line)
        if m:
            ops = re.findall(r'(R\(\w+, \d+, \d+\)|UB\([^)]*\)|SS\([^)]*\)|OFF\([^)]*\)|U\([^)]*\)|S\([^)]*\)|X)', m.group(4))
            fmts[m.group(1)] = (m.group(2), ops[:int(m.group(3))])
    return fmts

def field_mask(op):
    n = [int(x) for x in re.findall(r'\d+', op)]
    if op.startswith('OFF'):
        return (((1 << n[1]) - 1) << n[0]) | (((1 << n[3]) - 1) << n[2])
    return ((1 << n[1]) - 1) << n[0]

def sample(op):
    if op.startswith('R('):
        return {'Gpr': '$r0', 'Fpr': '$f0', 'Fcc': '$fcc0', 'Vr': '$vr0', 'Scr': '$scr0', 'Fcsr': '$fcsr0'}[op[2:op.index(',')]]
    return '1' if op.startswith('UB') else '0'

def main():
    fmts = formats()
    todo = []
    for line in sys.stdin:
        f, *mns = line.split('#')[0].split()
        if f not in fmts:
            sys.exit('unknown format ' + f)
        todo += [(m, f) for m in mns]
    src = ''
    for m, f in todo:
        s = [sample(o) for o in fmts[f][1]]
        if fmts[f][0] == 'kCsrxchg':
            s[1] = '$r2'
        src += m + ' ' + ', '.join(s) + '\n'
    p = subprocess.run([MC, '--triple=loongarch64', '--mattr=+lsx,+lbt', '-show-encoding'], input=src,
                       capture_output=True, text=True)
    bad = {int(x) - 1 for x in re.findall(r'<stdin>:(\d+):\d+: error', p.stderr)}
    encs = iter(re.findall(r'encoding: \[0x(..),0x(..),0x(..),0x(..)\]', p.stdout))
    existing = [(m.group(1), int(m.group(3), 16), m.group(2)) for m in
                re.finditer(r'"([^"]+)",\s*(\w+),\s*0x([0-9a-f]+)', open(os.path.join(SRC, 'la64.inc')).read())]
    for i, (m, f) in enumerate(todo):
        if i in bad:
            print('// llvm-mc rejects: ' + m, file=sys.stderr)
            continue
        b = next(encs)
        w = int(b[3] + b[2] + b[1] + b[0], 16)
        if fmts[f][0] == 'kCsrxchg':
            w -= 2 << 5
        mask = 0
        for o in fmts[f][1]:
            mask |= field_mask(o)
        for em, ew, ef in existing:
            emask = 0
            for o in fmts[ef][1]:
                emask |= field_mask(o)
            common = ~mask & ~emask & 0xffffffff
            if em != m and (w & common) == (ew & common):
                print('// overlaps with %s' % em, file=sys.stderr)
        ident = m.upper().replace('.', '_')
        print('LA64_INSN(%-16s %-18s %-10s 0x%08x)' % (ident + ',', '"%s",' % m, f + ',', w))

main()
