#include "server/store/blob_store.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace compressd::server {

absl::StatusOr<std::string> ReadWholeBlob(BlobReader& reader, uint64_t max_bytes) {
  if (reader.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("blob of ", reader.size(), " bytes exceeds the limit of ", max_bytes));
  }
  std::string out(reader.size(), '\0');
  uint64_t off = 0;
  while (off < out.size()) {
    ASSIGN_OR_RETURN(size_t n,
                     reader.ReadAt(off, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&out[off]),
                                                           out.size() - off)));
    if (n == 0) return absl::DataLossError(absl::StrCat("blob ended at ", off, " of ", out.size()));
    off += n;
  }
  return out;
}

}  // namespace compressd::server
