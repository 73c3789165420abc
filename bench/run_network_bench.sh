#!/usr/bin/env bash
# Network-build benchmark: Corridor's open+load+build against a plain OGR read of the same layer
# (feature by feature), with the column-oriented OGR read (plain_read --columns) shown beside it.
#
#   bash bench/run_network_bench.sh [BUILD_DIR] [--runs N] [--sizes LIST] [--file PATH.gpkg]...
#
#   BUILD_DIR     the CMake build directory holding bench/{gen_roads,plain_read,bench_network}
#                 (default: build/ in the repository)
#   --runs N      runs of each program per data set, alternating (default 3); medians are shown
#   --sizes LIST  generated sizes, comma-separated from 10k,250k,1m (default all three;
#                 "none" for none). Missing files are generated into BUILD_DIR/bench-data/.
#   --file PATH   also (or, without --sizes, only) run on this GeoPackage with a "roads" layer;
#                 may be repeated
#
# Targets: build/read time ratio <= 2.0 and bench_network peak RSS < 1024 MB, both judged on the
# 1m data set and on --file sources; graph bytes per directed edge <= 48 on every data set.
# Exit status: 0 when every judged target passes, 1 when one fails or a run fails, 2 on usage.
# Uses only bash, awk and sort. See bench/README.md.
set -u

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

build_dir=""
runs=3
sizes=""
sizes_given=0
files=()

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --runs) [ $# -ge 2 ] || { usage >&2; exit 2; }; runs=$2; shift 2 ;;
        --runs=*) runs=${1#--runs=}; shift ;;
        --sizes) [ $# -ge 2 ] || { usage >&2; exit 2; }; sizes=$2; sizes_given=1; shift 2 ;;
        --sizes=*) sizes=${1#--sizes=}; sizes_given=1; shift ;;
        --file) [ $# -ge 2 ] || { usage >&2; exit 2; }; files+=("$2"); shift 2 ;;
        --file=*) files+=("${1#--file=}"); shift ;;
        -*) echo "run_network_bench: unknown option $1" >&2; usage >&2; exit 2 ;;
        *)
            if [ -n "$build_dir" ]; then echo "run_network_bench: one BUILD_DIR only" >&2; exit 2; fi
            build_dir=$1; shift ;;
    esac
done
[ -n "$build_dir" ] || build_dir="$repo_dir/build"
case "$runs" in ''|*[!0-9]*|0) echo "run_network_bench: bad --runs '$runs'" >&2; exit 2 ;; esac
if [ "$sizes_given" = 0 ]; then
    if [ ${#files[@]} -gt 0 ]; then sizes=none; else sizes=10k,250k,1m; fi
fi

bin="$build_dir/bench"
for prog in gen_roads plain_read; do
    if [ ! -x "$bin/$prog" ]; then
        echo "run_network_bench: $bin/$prog not found: build first (cmake --build $build_dir)" >&2
        exit 2
    fi
done
have_network=1
if [ ! -x "$bin/bench_network" ]; then
    echo "run_network_bench: $bin/bench_network not found (the library did not build?):" \
         "running plain_read only" >&2
    have_network=0
fi

# ---- data sets: name<TAB>path<TAB>judge (1: ratio and memory targets apply) -------------------
data_dir="$build_dir/bench-data"
sets=()
if [ "$sizes" != none ]; then
    IFS=',' read -r -a size_list <<< "$sizes"
    for s in "${size_list[@]}"; do
        case "$s" in
            10k) nodes=10000; judge=0 ;;
            250k) nodes=250000; judge=0 ;;
            1m|1M) s=1m; nodes=1000000; judge=1 ;;
            *) echo "run_network_bench: unknown size '$s' (10k, 250k, 1m)" >&2; exit 2 ;;
        esac
        path="$data_dir/roads_$s.gpkg"
        if [ ! -f "$path" ]; then
            mkdir -p "$data_dir" || exit 2
            echo "generating $path ($nodes junctions)" >&2
            if ! "$bin/gen_roads" --nodes "$nodes" --seed 1 -o "$path" >&2; then
                echo "run_network_bench: generating $path failed" >&2
                exit 1
            fi
        fi
        sets+=("roads_$s"$'\t'"$path"$'\t'"$judge")
    done
fi
for f in "${files[@]+"${files[@]}"}"; do
    if [ ! -f "$f" ]; then echo "run_network_bench: no such file $f" >&2; exit 2; fi
    name=$(basename "$f")
    sets+=("${name%.gpkg}"$'\t'"$f"$'\t'1)
done
if [ ${#sets[@]} -eq 0 ]; then echo "run_network_bench: nothing to run" >&2; exit 2; fi

# ---- helpers ----------------------------------------------------------------------------------
# field KEY LINE: the value of KEY=value in LINE
field() {
    awk -v k="$1" '{ for (i = 1; i <= NF; i++) { n = index($i, "=");
        if (n > 1 && substr($i, 1, n - 1) == k) { print substr($i, n + 1); exit } } }' <<< "$2"
}
# median of the numbers on stdin, one a line
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
maximum() {
    sort -g | awk '{ m = $1 } END { print (NR ? m : "-") }'
}

# ---- runs -------------------------------------------------------------------------------------
rows=()
details=()
failed=0
for set in "${sets[@]}"; do
    IFS=$'\t' read -r name path judge <<< "$set"
    cols_line="" read_times="" cols_times="" build_times="" rss_list="" read_line="" net_line="" net_line2="" net_err=""
    ratios="" cratios=""
    for ((r = 1; r <= runs; r++)); do
        rt="" ct=""   # this round's read times
        echo "[$name] run $r/$runs: plain_read" >&2
        out=$("$bin/plain_read" "$path" 2>&1)
        rc=$?
        line=$(awk '/^plain_read: .*features=/ { print; exit }' <<< "$out")
        if [ $rc -ne 0 ] || [ -z "$line" ]; then
            echo "run_network_bench: plain_read failed on $path (exit $rc):" >&2
            echo "$out" >&2
            failed=1
        else
            read_line=$line
            rt=$(field time_s "$line")
            read_times+="$rt"$'\n'
        fi
        echo "[$name] run $r/$runs: plain_read --columns" >&2
        out=$("$bin/plain_read" --columns "$path" 2>&1)
        rc=$?
        line=$(awk '/^plain_read: .*features=/ { print; exit }' <<< "$out")
        if [ $rc -eq 0 ] && [ -n "$line" ]; then
            cols_line=$line
            ct=$(field time_s "$line")
            cols_times+="$ct"$'\n'
        else
            echo "run_network_bench: plain_read --columns failed on $path (not judged):" >&2
            echo "$out" >&2
        fi
        [ "$have_network" = 1 ] || continue
        echo "[$name] run $r/$runs: bench_network" >&2
        out=$("$bin/bench_network" "$path" 2>&1)
        rc=$?
        line=$(awk '/^bench_network: nodes=/ { print; exit }' <<< "$out")
        if [ $rc -ne 0 ] || [ -z "$line" ]; then
            echo "run_network_bench: bench_network failed on $path (exit $rc):" >&2
            echo "$out" >&2
            net_err=1
            failed=1
        else
            net_line=$line
            net_line2=$(awk '/^bench_network: / && !/nodes=/ { print; exit }' <<< "$out")
            bt=$(field build_time_s "$line")
            build_times+="$bt"$'\n'
            rss_list+="$(field peak_rss_mb "$line")"$'\n'
            # the round's ratios: the build against the reads just before it
            [ -n "$rt" ] && ratios+="$(awk -v b="$bt" -v r="$rt" 'BEGIN { if (r > 0) print b / r }')"$'\n'
            [ -n "$ct" ] && cratios+="$(awk -v b="$bt" -v r="$ct" 'BEGIN { if (r > 0) print b / r }')"$'\n'
        fi
    done
    ratio_med=$(printf '%s' "$ratios" | awk 'NF' | median)
    cratio_med=$(printf '%s' "$cratios" | awk 'NF' | median)
    read_med=$(printf '%s' "$read_times" | awk 'NF' | median)
    cols_med=$(printf '%s' "$cols_times" | awk 'NF' | median)
    build_med=$(printf '%s' "$build_times" | awk 'NF' | median)
    rss_max=$(printf '%s' "$rss_list" | awk 'NF' | maximum)
    features=$(field features "$read_line")
    points=$(field points "$read_line")
    nodes=$(field nodes "$net_line")
    edges=$(field directed_edges "$net_line")
    bpe=$(field bytes_per_directed_edge "$net_line")
    gbytes=$(field graph_bytes "$net_line")
    geobytes=$(field geometry_bytes "$net_line")
    [ -n "$net_err" ] && build_med=ERR
    rows+=("$name"$'\t'"$judge"$'\t'"${features:--}"$'\t'"${points:--}"$'\t'"${nodes:--}"$'\t'"${edges:--}"$'\t'"$read_med"$'\t'"$build_med"$'\t'"$rss_max"$'\t'"${bpe:--}"$'\t'"${gbytes:--}"$'\t'"${geobytes:--}"$'\t'"$cols_med"$'\t'"$ratio_med"$'\t'"$cratio_med")
    details+=("$name: ${read_line:-plain_read failed}")
    details+=("$name: ${cols_line:-plain_read --columns failed}")
    details+=("$name: ${net_line:-bench_network did not run}")
    [ -n "$net_line2" ] && details+=("$name: $net_line2")
done

# ---- table ------------------------------------------------------------------------------------
echo
echo "Network-build benchmark: $runs run(s) each, alternating; times are medians, peak RSS the"
echo "largest of the runs; build = cor_dataset_open + load + cor_graph_build. read_s: the plain OGR"
echo "read feature by feature; cols_s: the column-oriented read (as Corridor reads a GeoPackage),"
echo "shown with build/cols for reference, not judged. build/read and build/cols are medians of"
echo "each round's ratio (the build against the reads run just before it)."
echo "Targets: build/read <= 2.0 and peak < 1024 MB on roads_1m and --file sources; bytes/edge <= 48."
echo
printf '%s\n' "${rows[@]}" | awk -F'\t' '
function judge(ok) { return ok ? "PASS" : "FAIL" }
function num(v) { return v ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
BEGIN {
    fmt = "%-14s %9s %10s %9s %10s %8s %8s %8s  %-12s %-10s %-15s %-11s %8s %8s\n"
    printf fmt, "data", "features", "points", "nodes", "dir_edges", "read_s", "cols_s",
        "build_s", "build/read", "build/cols", "net_peak_MB", "B/dir_edge", "graph_MB", "geom_MB"
    fails = 0
}
{
    name = $1; j = $2; read = $7; build = $8; rss = $9; bpe = $10; cols = $13
    rmed = $14; cmed = $15
    ratio = "-"; rj = ""; mj = ""; bj = ""
    cratio = num(cmed) ? sprintf("%.2f", cmed) : "-"
    if (num(rmed)) {
        ratio = sprintf("%.2f", rmed)
        if (j == 1) { rj = judge(rmed <= 2.0); if (rj == "FAIL") fails++ }
    } else if (build == "ERR") { ratio = "ERR"; fails++ }
    if (num(rss)) {
        rss_s = sprintf("%.1f", rss)
        if (j == 1) { mj = judge(rss < 1024); if (mj == "FAIL") fails++ }
    } else rss_s = "-"
    if (num(bpe)) {
        bpe_s = sprintf("%.1f", bpe); bj = judge(bpe <= 48); if (bj == "FAIL") fails++
    } else bpe_s = "-"
    gmb = num($11) ? sprintf("%.1f", $11 / 1048576) : "-"
    emb = num($12) ? sprintf("%.1f", $12 / 1048576) : "-"
    printf fmt, name, $3, $4, $5, $6, (num(read) ? sprintf("%.3f", read) : read),
        (num(cols) ? sprintf("%.3f", cols) : "-"),
        (num(build) ? sprintf("%.3f", build) : build), ratio " " rj, cratio, rss_s " " mj,
        bpe_s " " bj, gmb, emb
}
END { exit fails ? 1 : 0 }'
table_rc=$?

echo
echo "Last run of each program:"
printf '  %s\n' "${details[@]}"

if [ "$have_network" = 0 ]; then
    echo
    echo "bench_network was not built: no build figures, targets not judged."
    exit 1
fi
if [ $failed -ne 0 ] || [ $table_rc -ne 0 ]; then exit 1; fi
exit 0
