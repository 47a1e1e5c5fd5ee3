#!/bin/sh
# Translation cost: host instructions BMBT spends per guest instruction translated (decode, IR,
# passes, LoongArch code generation; nothing is run), counted by callgrind in bmbt-trace's
# translate_all. Also proves that a change did not alter the translation (--fingerprint).
# See docs/translation-cost.md.
#
#   usage: benchmarks/translation-cost/measure.sh [--build DIR] [--out DIR] [--fingerprint]
#     --build DIR      host build tree with tools/bmbt-trace (default build/host)
#     --out DIR        where the input images and callgrind files go (default build/translation-cost)
#     --fingerprint    instead of measuring: one md5 per input image and flag strategy of
#                      `bmbt-trace -stable-helpers -d in_asm,ir_opt,out_asm` (the x86 code, the IR
#                      after the passes and every LoongArch word; not the closing statistics line,
#                      on stderr, which counts the IR before the passes), for before/after comparisons
#     --no-flag-plan   translate with bmbt-trace -no-flag-plan (every flag formula emitted, dead
#                      ones left to the IR passes): its fingerprint must equal the default one
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build/host
OUT=$ROOT/build/translation-cost
MODE=measure
PLAN=
while [ $# -gt 0 ]; do
    case $1 in
        --build) BUILD=${2:?--build needs a directory}; shift 2 ;;
        --out) OUT=${2:?--out needs a directory}; shift 2 ;;
        --fingerprint) MODE=fingerprint; shift ;;
        --no-flag-plan) PLAN=-no-flag-plan; shift ;;
        *) echo "measure.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
TRACE=$BUILD/tools/bmbt-trace
SKELETON=$BUILD/tests/guests/skeleton/skeleton.img
for f in "$TRACE" "$SKELETON"; do
    [ -f "$f" ] || { echo "measure.sh: $f is missing (build the host preset first)" >&2; exit 1; }
done
mkdir -p "$OUT"

# Inputs: the skeleton guest, the corpus snippets, the benchmark workloads (ci size).
cp "$SKELETON" "$OUT/skeleton.img"
[ "$OUT/corpus.img" -nt "$ROOT/tests/x86-diff/corpus/jit-quick.bin" ] ||
    python3 "$HERE/corpus_image.py" "$ROOT/tests/x86-diff/corpus/jit-quick.bin" "$OUT/corpus.img" >/dev/null
WORKLOADS=$(cd "$ROOT/benchmarks/workloads" && ls *.c | sed 's/\.c$//')
for w in $WORKLOADS; do
    [ "$OUT/$w-ci.img" -nt "$ROOT/benchmarks/workloads/$w.c" ] ||
        "$ROOT/benchmarks/build.sh" "$OUT" "$w" ci >/dev/null
    cp "$OUT/$w-ci.img" "$OUT/$w.img"
done

if [ $MODE = fingerprint ]; then
    for img in skeleton corpus $WORKLOADS; do
        for strategy in software lbt; do
            flag=; [ $strategy = lbt ] && flag=-lbt
            sum=$("$TRACE" -stable-helpers $flag $PLAN -d in_asm,ir_opt,out_asm "$OUT/$img.img" 2>/dev/null | md5sum | cut -d' ' -f1)
            echo "$img $strategy $sum"
        done
    done
    exit 0
fi

command -v valgrind >/dev/null || { echo "measure.sh: valgrind is not installed" >&2; exit 1; }
# Rounds per input: each round translates the whole image cold; small images get more rounds so
# that fixed costs (one-time setup outside translate_all is not counted anyway) even out.
printf '| input | strategy | guest insns | rounds | host insns counted | per guest insn |\n'
printf '|---|---|---|---|---|---|\n'
split=
for spec in skeleton:20:software skeleton:20:lbt sha256:20:software corpus:2:software interp:1:software; do
    img=${spec%%:*}; rest=${spec#*:}; rounds=${rest%%:*}; strategy=${rest#*:}
    flag=; [ $strategy = lbt ] && flag=-lbt
    cg=$OUT/callgrind.$img.$strategy
    log=$(valgrind --tool=callgrind --callgrind-out-file="$cg" --toggle-collect='*translate_all*' \
        "$TRACE" $flag $PLAN -repeat "$rounds" "$OUT/$img.img" 2>&1)
    insns=$(echo "$log" | sed -n 's/^bmbt-trace: [0-9]* blocks, \([0-9]*\) guest instructions.*/\1/p')
    collected=$(echo "$log" | sed -n 's/^==[0-9]*== Collected : \([0-9]*\)/\1/p')
    [ -n "$insns" ] && [ -n "$collected" ] || { echo "measure.sh: no result for $img:"; echo "$log" | tail -5; exit 1; } >&2
    printf '| %s | %s | %s | %s | %s | %s |\n' "$img" "$strategy" "$insns" "$rounds" "$collected" \
        "$(( (collected + insns * rounds / 2) / (insns * rounds) ))"
    split="$split$img:$strategy:$((insns * rounds)) "
done

# Where the time goes, per guest instruction: the stages translate_all calls (inclusive counts;
# the flag plan and its decoding are part of the frontend, the block-end look-ahead is its own
# row, and what is left is bmbt-trace's own bookkeeping).
printf '\n| input | strategy | frontend | of which decoding | block-end look-ahead | IR passes | code generation | rest |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for spec in $split; do
    img=${spec%%:*}; rest=${spec#*:}; strategy=${rest%%:*}; n=${rest#*:}
    cg=$OUT/callgrind.$img.$strategy
    inclusive() {  # inclusive count of the first function whose name matches $1
        callgrind_annotate --inclusive=yes "$cg" 2>/dev/null | grep -m1 -E "^ *[0-9,]+ .*$1" |
            sed -E 's/^ *([0-9,]+).*/\1/' | tr -d ,
    }
    total=$(callgrind_annotate "$cg" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    front=$(inclusive 'x86::translate_block\(')
    dec=$(inclusive 'Decoder::decode\(')
    look=$(inclusive 'x86::live_out_flags\(')
    passes=$(inclusive 'ir::run_default_passes\(')
    gen=$(inclusive 'la64::generate\(')
    per() { echo $(( (${1:-0} + n / 2) / n )); }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$img" "$strategy" "$(per "$front")" "$(per "$dec")" \
        "$(per "$look")" "$(per "$passes")" "$(per "$gen")" \
        "$(per $(( ${total:-0} - ${front:-0} - ${look:-0} - ${passes:-0} - ${gen:-0} )))"
done
echo "callgrind files in $OUT (callgrind_annotate FILE)" >&2
