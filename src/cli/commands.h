/* commands.h — the CLI's subcommands. Each lives in its own cmd_*.c file and
 * gets argv with argv[0] being the subcommand's name. Returns the exit code. */
#ifndef AW_CLI_COMMANDS_H
#define AW_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);         /* anywhere run module.wasm ... */
int cmd_compile(int argc, char **argv);     /* anywhere compile module.wasm -o module.cwasm */
int cmd_spectest(int argc, char **argv);    /* anywhere spectest FILE.json */
int cmd_up(int argc, char **argv);          /* anywhere up */
int cmd_new(int argc, char **argv);         /* anywhere new TEMPLATE NAME */
int cmd_build(int argc, char **argv);       /* anywhere build */
int cmd_model(int argc, char **argv);       /* anywhere model synth|info ... */
int cmd_serve_model(int argc, char **argv); /* anywhere serve-model */
int cmd_registry(int argc, char **argv);    /* anywhere registry push|pull */
int cmd_kube(int argc, char **argv);        /* anywhere kube scaffold */

#endif
