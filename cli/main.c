/* main.c: the corridor binary: global options and the dispatch table of subcommands. */
#include "cli.h"

#include <string.h>

static const cli_command COMMANDS[] = {
    { "info", "list the layers, roles, CRS and extent of a data source", cmd_info },
    { "network", "build the multimodal road + rail network, report and export it", cmd_network },
    { "route", "the fastest trip between two places, with its legs", cmd_route },
    { "corridors", "gravity linkage of cities, flows on the network, economic corridors",
      cmd_corridors },
    { "site", "rank candidate sites by multi-criteria scoring with constraints", cmd_site },
    { "serve", "an HTTP/JSON query service (routes, isochrones, access, matrices, site scores,\n"
               "             maps) and a map page",
      cmd_serve },
    /* [isochrone command] */
    { "isochrone", "areas reachable within given minutes, with population and parks",
      cmd_isochrone },
    /* [access commands] */
    { "matrix", "travel times and distances between origins and destinations", cmd_matrix },
    { "access", "accessibility of origins to facilities: nearest, WATT, cumulative, Hansen, 2SFCA",
      cmd_access },
    /* [scenario command] */
    { "scenario", "what a planned line, speed change, closure or terminal does to accessibility",
      cmd_scenario },
    /* [render commands] */
    { "render", "a map of a theme as PNG, PDF or SVG (title, legend, scale bar, labels)",
      cmd_render },
    /* [report command] */
    { "report", "a multi-page PDF report: network, accessibility, corridors, site ranking",
      cmd_report },
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: corridor <command> [options]\n"
            "       corridor --help | --version\n\n"
            "Corridor: maps, accessibility, corridors and site evaluation for regional planning\n"
            "(bundled data: the Beijing-Tianjin-Hebei region).\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\nRun 'corridor <command> --help' for a command's options.\n"
                 "DATA defaults to the bundled dataset (%s; CORRIDOR_DATA overrides).\n"
                 "Exit status: 0 success, 1 failure, 2 usage error.\n",
            cli_default_data());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("corridor %s\n", cor_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name))
            return COMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "corridor: unknown command '%s'\nTry 'corridor --help'.\n", argv[1]);
    return EXIT_USAGE;
}
