#!/bin/sh
# List the distinct instruction mnemonics in an `objdump -d` listing (AT&T
# syntax as printed by objdump, e.g. "movzbl", "cmovl"), one per line, sorted.
#   usage: list-mnemonics.sh FILE.dis
set -eu
awk -F'\t' '
    /^ *[0-9a-f]+:\t/ {
        # with --no-show-raw-insn: "  addr:\tmnemonic operands"
        # with raw bytes:          "  addr:\tbytes\tmnemonic operands"
        ins = (NF >= 3) ? $3 : $2
        sub(/^ +/, "", ins)
        split(ins, w, " ")
        m = w[1]
        if (m == "rep" || m == "repz" || m == "repnz" || m == "lock" || m == "data16" || m == "cs" || m == "ds")
            m = m " " w[2]
        if (m != "") print m
    }' "$1" | sort -u
