/* bench_network: times Corridor's network build on one source.
 *
 *   bench_network FILE.gpkg
 *
 * Opens the source with cor_dataset_open (default options: the bundled dataset's layer names,
 * automatic working CRS) and builds the network with cor_graph_build (COR_BUILD_OPTS_DEFAULT).
 * The timer covers open + load + build, i.e. everything from the path to a usable graph.
 * Prints one result line for run_network_bench.sh and a second line of network statistics:
 *   bench_network: nodes=... directed_edges=... build_time_s=... peak_rss_mb=... graph_bytes=...
 *                  bytes_per_directed_edge=... geometry_bytes=...
 *   bench_network: road_links=... road_km=... components=... largest_share=... ...
 *                  checksum=... (FNV-1a of the whole graph: equal when a build is bit-identical) */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "corridor/common.h"
#include "corridor/dataset.h"
#include "corridor/network.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1.0;
    return (double)ru.ru_maxrss / 1024.0;   /* Linux: kilobytes */
}

/* FNV-1a over bytes, continued from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* A checksum of the whole graph (CSR, node positions, link geometry), to show that a change
 * to the build leaves the network bit for bit the same. */
static uint64_t graph_checksum(const cor_graph *g)
{
    cor_csr c;
    cor_graph_csr(g, &c);
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv(h, c.first_out, ((size_t)c.n_nodes + 1) * sizeof *c.first_out);
    h = fnv(h, c.head, c.n_edges * sizeof *c.head);
    h = fnv(h, c.time_ms, c.n_edges * sizeof *c.time_ms);
    h = fnv(h, c.length_m, c.n_edges * sizeof *c.length_m);
    h = fnv(h, c.kind, c.n_edges);
    h = fnv(h, c.link, c.n_edges * sizeof *c.link);
    h = fnv(h, c.node_xy, 2 * (size_t)c.n_nodes * sizeof *c.node_xy);
    h = fnv(h, c.component, (size_t)c.n_nodes * sizeof *c.component);
    h = fnv(h, c.node_kind, c.n_nodes);
    for (size_t i = 0, n = cor_graph_link_count(g); i < n; i++) {
        cor_link_info li;
        cor_graph_link_get(g, (uint32_t)i, &li);
        h = fnv(h, &li, sizeof li);
        double buf[4];
        const double *pts = NULL;
        size_t np = cor_graph_link_points(g, (uint32_t)i, buf, &pts);
        h = fnv(h, pts, 2 * np * sizeof *pts);
    }
    return h;
}

static void log_stderr(cor_log_level level, const char *msg, void *user)
{
    (void)level;
    (void)user;
    fprintf(stderr, "%s\n", msg);
}

int main(int argc, char **argv)
{
    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(argc != 2 ? stderr : stdout, "usage: bench_network FILE.gpkg\n");
        return argc != 2 ? 2 : 0;
    }
    const char *path = argv[1];
    cor_error err = COR_ERROR_INIT;
    cor_open_opts oo = COR_OPEN_OPTS_DEFAULT;
    cor_build_opts bo = COR_BUILD_OPTS_DEFAULT;
    if (getenv("COR_DEBUG")) /* phase timings of the build on stderr */
        bo.log = (cor_logger){ .fn = log_stderr, .user = NULL, .min_level = COR_LOG_DEBUG };

    double t0 = now_s();
    cor_dataset *ds = cor_dataset_open(path, &oo, &err);
    if (!ds) {
        fprintf(stderr, "bench_network: cannot open %s: %s: %s\n", path, cor_status_name(err.code),
                err.msg);
        return 1;
    }
    cor_graph *g = cor_graph_build(ds, &bo, &err);
    double elapsed = now_s() - t0;
    if (!g) {
        fprintf(stderr, "bench_network: building the network of %s failed: %s: %s\n", path,
                cor_status_name(err.code), err.msg);
        cor_dataset_close(ds);
        return 1;
    }
    double rss = peak_rss_mb();

    cor_graph_stats st;
    memset(&st, 0, sizeof st);
    cor_graph_get_stats(g, &st);
    const char *crs = cor_dataset_working_crs(ds);
    double per_edge = st.directed_edges ? (double)st.graph_bytes / (double)st.directed_edges : 0.0;
    printf("bench_network: nodes=%" PRIu32 " directed_edges=%" PRIu64 " build_time_s=%.3f"
           " peak_rss_mb=%.1f graph_bytes=%zu bytes_per_directed_edge=%.2f geometry_bytes=%zu\n",
           st.nodes, st.directed_edges, elapsed, rss, st.graph_bytes, per_edge, st.geometry_bytes);
    printf("bench_network: working_crs=%s road_links=%" PRIu64 " road_km=%.1f components=%" PRIu32
           " largest_share=%.4f road_dangles=%" PRIu64 " road_snapped=%" PRIu64
           " checksum=%016" PRIx64 "\n",
           crs ? crs : "?", st.links[COR_EDGE_ROAD], st.length_km[COR_EDGE_ROAD],
           st.components, st.largest_component_share, st.road_dangles, st.road_snapped,
           graph_checksum(g));

    cor_graph_destroy(g);
    cor_dataset_close(ds);
    return 0;
}
