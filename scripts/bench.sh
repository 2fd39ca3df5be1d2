#!/usr/bin/env bash
# Benchmark: builds generated corpora (scripts/gen_corpus.py) with figmark (release) and, when they
# are installed, Hugo and Zola, taking runs in turn (figmark, hugo, zola, figmark, ...); prints a
# markdown table of median wall time, peak memory (max RSS), output size, largest file and the
# bytes one search loads (figmark: scripts/search_bytes.py; Zola: its whole index and
# elasticlunr.min.js, which a search page loads at once), the ratios figmark/Hugo and figmark/Zola,
# then times `figmark serve` from a one-note edit to the reload.
#
#   scripts/bench.sh            # N = 1000 and 10000, 5 runs each
#   RUNS=3 scripts/bench.sh 2000
#   ZOLA=/path/to/zola HUGO=/path/to/hugo scripts/bench.sh   # binaries not on PATH
#   SERVE=1000 EDITS=20 scripts/bench.sh 1000 10000          # serve timed on 1,000 notes
#   SETTLE=0 scripts/bench.sh 1000                            # no wait after removing outputs
#
# Needs python3 and GNU time (/usr/bin/time; Debian package `time`). Hugo and Zola are skipped
# with a note when not found.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)

cargo build --release --quiet
BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/figmark"
HUGO=${HUGO:-$(command -v hugo || true)}
ZOLA=${ZOLA:-$(command -v zola || true)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Runs a command under GNU time; prints "seconds max_rss_kb".
timed() {
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
    cat "$WORK/stderr" >&2
    exit 1
  }
  cat "$WORK/time"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ -n "$HUGO" ]; then echo "hugo: $("$HUGO" version | cut -d' ' -f1-2)"; else echo "hugo: not found, skipped"; fi
if [ -n "$ZOLA" ]; then echo "zola: $("$ZOLA" --version)"; else echo "zola: not found, skipped"; fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| notes | tool | median wall (s) | peak RSS (MB) | output (MB) | largest file (MB) | one search (KB) |"
echo "|---|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  corpus="$WORK/$n"
  python3 scripts/gen_corpus.py "$n" "$corpus" ${HUGO:+--hugo} ${ZOLA:+--zola}
  tools=(figmark)
  [ -n "$HUGO" ] && tools+=(hugo)
  [ -n "$ZOLA" ] && tools+=(zola)
  for tool in "${tools[@]}"; do : >"$WORK/$tool.$n"; done
  for _ in $(seq "$RUNS"); do
    # Every output is removed first, then the kernel's window for recently deleted inodes is
    # waited out: ext4 skips inodes freed within vm.dirty_expire_centisecs (30 s here) when it
    # allocates, and a build right after `rm -rf` of 14,000 files took twice as long (10.8 s
    # against 5.8 s at 10,000 notes), whichever tool deleted them.
    rm -rf "$corpus/figmark/public" "$corpus/hugo/public" "$corpus/hugo/resources" "$corpus/zola/public"
    sync
    sleep "${SETTLE:-$(( $(cat /proc/sys/vm/dirty_expire_centisecs) / 100 + 2 ))}"
    timed "$BIN" --root "$corpus/figmark" build >>"$WORK/figmark.$n"
    if [ -n "$HUGO" ]; then
      timed "$HUGO" --source "$corpus/hugo" --quiet >>"$WORK/hugo.$n"
    fi
    if [ -n "$ZOLA" ]; then
      timed "$ZOLA" --root "$corpus/zola" build >>"$WORK/zola.$n"
    fi
  done
  for tool in "${tools[@]}"; do
    wall=$(cut -d' ' -f1 "$WORK/$tool.$n" | median)
    rss=$(cut -d' ' -f2 "$WORK/$tool.$n" | median)
    size=$(du -sb "$corpus/$tool/public" | cut -f1)
    largest=$(find "$corpus/$tool/public" -type f -printf '%s\n' | sort -n | tail -1)
    # Bytes of script a two-word query loads, typed a key at a time (figmark's chunked index).
    search=""
    if [ "$tool" = figmark ]; then
      search=$(python3 scripts/search_bytes.py "$corpus/figmark/public" "卷积 参数" | sed 's/.*, \([0-9]*\) KB/\1/')
    elif [ "$tool" = zola ]; then
      search=$(cat "$corpus/zola/public"/search_index.*.js "$corpus/zola/public/elasticlunr.min.js" | wc -c | awk '{printf "%.0f", $1 / 1024}')
    fi
    awk -v n="$n" -v t="$tool" -v w="$wall" -v r="$rss" -v s="$size" -v l="$largest" -v q="$search" \
      'BEGIN { printf "| %s | %s | %s | %.0f | %.1f | %.1f | %s |\n", n, t, w, r / 1024, s / 1048576, l / 1048576, q }'
    echo "$wall $rss" >"$WORK/$tool.$n.median"
  done
  # Ratios of the medians: wall time and peak RSS.
  for tool in "${tools[@]:1}"; do
    read -r fw fr <"$WORK/figmark.$n.median"
    read -r ow orss <"$WORK/$tool.$n.median"
    awk -v n="$n" -v name="${tool^}" -v fw="$fw" -v fr="$fr" -v ow="$ow" -v orss="$orss" \
      'BEGIN { printf "| %s | figmark/%s | %.2f | %.2f | | | |\n", n, name, fw / ow, fr / orss }'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Incremental rebuild: `figmark serve` on the corpus of SERVE notes (one of the sizes; the largest
# by default), one note edited EDITS times, timed from the save to the live-reload event
# (scripts/serve_latency.py).
SERVE=${SERVE:-$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -1)}
echo
echo "serve, one note of $SERVE edited:"
python3 scripts/serve_latency.py "$BIN" "$WORK/$SERVE/figmark" \
  "$WORK/$SERVE/figmark/content/s001/n007.md" "${EDITS:-10}"
