// A compressctl subcommand: `compressctl NAME ARGS...`. Local commands (model_commands.cc) link
// the core; remote commands (remote_commands.cc) talk to a server.
#ifndef COMPRESSD_CLIENT_COMPRESSCTL_COMMAND_H_
#define COMPRESSD_CLIENT_COMPRESSCTL_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace compressd::cli {

struct Command {
  std::string name;
  std::string usage;    // one line: "inspect MODEL [--json]"
  std::string summary;  // one sentence
  // argv[0] is the subcommand name. Returns the process exit status (exit_codes.h).
  int (*run)(int argc, char** argv);
};

std::vector<Command> LocalCommands();
Command RunCommand();  // run_command.cc
Command QuantizeCommand();  // quantize_command.cc
std::vector<Command> RemoteCommands();  // empty when built without the service

// Prints "compressctl: <message>" to stderr and returns the exit code for `status`.
int ReportError(const std::string& context, const absl::Status& status);

}  // namespace compressd::cli

#endif  // COMPRESSD_CLIENT_COMPRESSCTL_COMMAND_H_
