// compressctl: the command-line client of compressd. Local commands work on model files directly;
// remote commands talk to a compressd server.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "client/compressctl/command.h"
#include "client/compressctl/exit_codes.h"

namespace compressd::cli {

int ReportError(const std::string& context, const absl::Status& status) {
  std::cerr << "compressctl: " << context << ": " << status.message() << "\n";
  return ExitCodeFor(status);
}

namespace {

void PrintUsage(const std::vector<Command>& commands) {
  std::cerr << "usage: compressctl COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& c : commands) {
    std::cerr << "  " << c.usage << "\n      " << c.summary << "\n";
  }
  std::cerr << "\nExit status: 0 ok, 1 failure, 2 usage, 3 input rejected, 4 job failed, "
               "5 auth failed, 6 server unavailable, 7 limit exceeded.\n";
}

}  // namespace
}  // namespace compressd::cli

int main(int argc, char** argv) {
  using namespace compressd::cli;
  std::vector<Command> commands = LocalCommands();
  for (Command& c : RemoteCommands()) commands.push_back(c);
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    PrintUsage(commands);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  for (const Command& c : commands) {
    if (c.name == argv[1]) return c.run(argc - 1, argv + 1);
  }
  std::cerr << "compressctl: unknown command '" << argv[1] << "'\n";
  PrintUsage(commands);
  return kExitUsage;
}
