// Built when the service (gRPC) parts are disabled: compressctl has local commands only.
#include "client/compressctl/command.h"

namespace compressd::cli {

std::vector<Command> RemoteCommands() { return {}; }

}  // namespace compressd::cli
