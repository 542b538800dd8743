// SPDX-License-Identifier: MIT
// The host CLI's subcommands, and what they share: errors.csv reading
// (cli_csv.h) and option parsing with the one-line reason (cli_opt.h).
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include "cli_csv.h"
#include "cli_opt.h"
#include "core/badram.h"
#include "core/cells.h"
#include "core/errcsv.h"

#define CLI_MAX_GRAN (1u << 16)

int cmd_badram(int argc, char **argv);
int cmd_cells(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_offline(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_results(int argc, char **argv);

#endif
