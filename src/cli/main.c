/*
 * main.c — the `anywhere` command: dispatches to a subcommand.
 *
 * Commands are declared weak so that the tree builds while an area is being
 * written in parallel; a command whose file is absent says so instead of
 * failing to link.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

#pragma weak cmd_run
#pragma weak cmd_compile
#pragma weak cmd_spectest
#pragma weak cmd_up
#pragma weak cmd_new
#pragma weak cmd_build
#pragma weak cmd_model
#pragma weak cmd_serve_model
#pragma weak cmd_registry
#pragma weak cmd_kube

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} command;

static const command commands[] = {
    {"run", cmd_run, "run a WebAssembly module (WASI command or an exported function)"},
    {"compile", cmd_compile, "compile a WebAssembly module ahead of time (.cwasm)"},
    {"spectest", cmd_spectest, "run a spec test script converted by wast2json"},
    {"up", cmd_up, "serve an HTTP app described by spin.toml"},
    {"new", cmd_new, "create an app from a template (http-c, wagi-c)"},
    {"build", cmd_build, "run the build command of each component in spin.toml"},
    {"model", cmd_model, "inspect or synthesise GGUF models"},
    {"serve-model", cmd_serve_model, "serve GGUF models over the Ollama and OpenAI APIs"},
    {"registry", cmd_registry, "push or pull an app as an OCI artifact"},
    {"kube", cmd_kube, "print Kubernetes YAML for an app (kube scaffold)"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: anywhere <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].fn) fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("anywhere 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0) continue;
        if (!commands[i].fn) {
            fprintf(stderr, "anywhere: '%s' is not built into this binary\n", argv[1]);
            return 2;
        }
        return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "anywhere: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
