#include "core/data/dataset.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"

namespace compressd::data {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxFolderDepth = 64;

absl::Status FsError(const std::string& path, const std::string& what, const std::error_code& ec) {
  const std::string msg = absl::StrCat(path, ": ", what, ": ", ec.message());
  if (ec == std::errc::no_such_file_or_directory) return absl::NotFoundError(msg);
  if (ec == std::errc::permission_denied) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

absl::Status TooManyFiles(const std::string& path, int64_t max_files) {
  return absl::ResourceExhaustedError(absl::StrCat(path, ": more than ", max_files, " files"));
}

absl::Status ListFolder(const std::string& dir, const DatasetOptions& options, int depth,
                        std::vector<SampleFile>* out) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
    if (static_cast<int64_t>(names.size()) > options.max_files) {
      return TooManyFiles(dir, options.max_files);
    }
  }
  if (ec) return FsError(dir, "cannot list folder", ec);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (name.empty() || name[0] == '.') continue;  // hidden files, "." and ".."
    const std::string full = (fs::path(dir) / name).string();
    const fs::file_status st = fs::status(full, ec);  // follows symlinks
    if (ec) return FsError(full, "cannot stat", ec);
    if (fs::is_regular_file(st)) {
      ASSIGN_OR_RETURN(SampleFileKind kind, ClassifySampleFile(full));
      out->push_back({full, kind});
      if (static_cast<int64_t>(out->size()) > options.max_files) {
        return TooManyFiles(dir, options.max_files);
      }
    } else if (fs::is_directory(st) && options.recursive) {
      if (fs::is_symlink(fs::symlink_status(full, ec))) continue;  // no cycles
      if (depth + 1 > kMaxFolderDepth) {
        return absl::InvalidArgumentError(
            absl::StrCat(full, ": folders nested more than ", kMaxFolderDepth, " deep"));
      }
      RETURN_IF_ERROR(ListFolder(full, options, depth + 1, out));
    }
    // Other entries (sub-folders when not recursive, FIFOs, sockets, devices) are skipped; opening
    // a FIFO would block.
  }
  return absl::OkStatus();
}

std::string InputLabel(int index, const InputSpec& input) {
  return input.name.empty() ? absl::StrCat("input ", index)
                            : absl::StrCat("input ", index, " ('", input.name, "')");
}

// Splits a loaded .npy into samples for `input` per the matching rules of the header.
absl::StatusOr<std::vector<TensorData>> NpySamples(TensorData t, const std::string& path,
                                                   const InputSpec& input, int index) {
  if (t.type != input.type) {
    return absl::InvalidArgumentError(absl::StrCat(path, " has dtype ", ir::DataTypeName(t.type),
                                                   ", ", InputLabel(index, input), " needs ",
                                                   ir::DataTypeName(input.type)));
  }
  if (t.shape == input.shape) {
    std::vector<TensorData> one;
    one.push_back(std::move(t));
    return one;
  }
  const std::vector<int32_t>& s = t.shape;
  const std::vector<int32_t>& in = input.shape;
  const bool batch_of_input =
      s.size() == in.size() + 1 && std::equal(in.begin(), in.end(), s.begin() + 1);
  const bool batch_replacing_1 = !in.empty() && in[0] == 1 && s.size() == in.size() &&
                                 std::equal(in.begin() + 1, in.end(), s.begin() + 1);
  if (!batch_of_input && !batch_replacing_1) {
    std::vector<int32_t> batch = in;
    if (!batch.empty() && batch[0] == 1) batch.erase(batch.begin());
    const std::string batch_text =
        absl::StrCat("[N", batch.empty() ? "" : ",", absl::StrJoin(batch, ","), "]");
    return absl::InvalidArgumentError(
        absl::StrCat(path, " has shape ", FormatShape(s), ", ", InputLabel(index, input), " needs ",
                     FormatShape(in), " (or a batch ", batch_text, ")"));
  }
  const int32_t n = s[0];
  const size_t sample_bytes = n == 0 ? 0 : t.bytes.size() / static_cast<size_t>(n);
  std::vector<TensorData> samples(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    TensorData& sample = samples[i];
    sample.type = t.type;
    sample.shape = in;
    const auto begin = t.bytes.begin() + static_cast<ptrdiff_t>(i * sample_bytes);
    sample.bytes.assign(begin, begin + static_cast<ptrdiff_t>(sample_bytes));
  }
  return samples;
}

}  // namespace

absl::StatusOr<SampleFileKind> ClassifySampleFile(const std::string& path) {
  const std::string ext = absl::AsciiStrToLower(fs::path(path).extension().string());
  if (ext == ".npy") return SampleFileKind::kNpy;
  if (ext == ".bin" || ext == ".raw") return SampleFileKind::kRaw;
  if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") return SampleFileKind::kImage;
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": unknown file type ", ext.empty() ? "(no extension)" : absl::StrCat("'", ext, "'"),
      "; expected .npy, .bin, .raw, .png, .jpg or .jpeg"));
}

absl::StatusOr<std::vector<SampleFile>> ListSampleFiles(const std::string& path,
                                                        const DatasetOptions& options) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file or folder"));
    }
    return FsError(path, "cannot stat", ec);
  }
  std::vector<SampleFile> files;
  if (fs::is_regular_file(st)) {
    ASSIGN_OR_RETURN(SampleFileKind kind, ClassifySampleFile(path));
    files.push_back({path, kind});
    return files;
  }
  if (!fs::is_directory(st)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is neither a regular file nor a folder"));
  }
  RETURN_IF_ERROR(ListFolder(path, options, 0, &files));
  if (files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no samples found in ", path));
  }
  return files;
}

absl::StatusOr<std::vector<TensorData>> LoadSampleFile(const SampleFile& file,
                                                       const InputSpec& input, int input_index,
                                                       const PreprocessSpec& preprocess,
                                                       const DatasetOptions& options) {
  switch (file.kind) {
    case SampleFileKind::kNpy: {
      ASSIGN_OR_RETURN(TensorData t, LoadNpy(file.path, options.max_file_bytes));
      return NpySamples(std::move(t), file.path, input, input_index);
    }
    case SampleFileKind::kRaw: {
      ASSIGN_OR_RETURN(TensorData t,
                       LoadRawTensor(file.path, input.type, input.shape, options.max_file_bytes));
      std::vector<TensorData> one;
      one.push_back(std::move(t));
      return one;
    }
    case SampleFileKind::kImage: {
      ASSIGN_OR_RETURN(Image image, LoadImage(file.path, options.image_limits));
      absl::StatusOr<TensorData> t = ImageToTensor(image, input, preprocess);
      if (!t.ok()) {
        return absl::Status(t.status().code(), absl::StrCat(file.path, ": cannot feed ",
                                                            InputLabel(input_index, input), ": ",
                                                            t.status().message()));
      }
      std::vector<TensorData> one;
      one.push_back(*std::move(t));
      return one;
    }
  }
  return absl::InternalError("unknown sample file kind");
}

absl::StatusOr<std::vector<std::vector<TensorData>>> LoadSamples(
    const std::vector<std::string>& paths, const std::vector<InputSpec>& inputs,
    const PreprocessSpec& preprocess, const DatasetOptions& options) {
  if (inputs.empty()) return absl::InvalidArgumentError("the model has no inputs");
  if (paths.empty()) return absl::InvalidArgumentError("no sample files or folders given");
  if (inputs.size() > 1 && paths.size() != inputs.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the model has ", inputs.size(),
                     " inputs, so give exactly one file or folder per input "
                     "(matched by position); got ",
                     paths.size()));
  }
  // per_input[k]: the samples of input k.
  std::vector<std::vector<TensorData>> per_input(inputs.size());
  int64_t total_bytes = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    std::vector<std::string> group;
    if (inputs.size() == 1) {
      group = paths;
    } else {
      group.push_back(paths[k]);
    }
    std::vector<TensorData>& samples = per_input[k];
    auto full = [&]() {
      return options.max_samples > 0 && static_cast<int64_t>(samples.size()) >= options.max_samples;
    };
    for (const std::string& path : group) {
      if (full()) break;
      ASSIGN_OR_RETURN(std::vector<SampleFile> files, ListSampleFiles(path, options));
      for (const SampleFile& file : files) {
        if (full()) break;
        ASSIGN_OR_RETURN(std::vector<TensorData> loaded,
                         LoadSampleFile(file, inputs[k], static_cast<int>(k), preprocess, options));
        for (TensorData& t : loaded) {
          if (full()) break;
          total_bytes += static_cast<int64_t>(t.bytes.size());
          if (total_bytes > options.max_total_bytes) {
            return absl::ResourceExhaustedError(absl::StrCat("samples loaded up to ", file.path,
                                                             " take more than the limit of ",
                                                             options.max_total_bytes, " bytes"));
          }
          samples.push_back(std::move(t));
        }
      }
    }
    if (samples.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no samples found in ", absl::StrJoin(group, ", ")));
    }
    if (samples.size() != per_input[0].size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input 0 has ", per_input[0].size(), " samples (from ", paths[0], ") but input ", k,
          " has ", samples.size(), " (from ", paths[k], "); every input needs the same count"));
    }
  }
  std::vector<std::vector<TensorData>> result(per_input[0].size());
  for (size_t i = 0; i < result.size(); ++i) {
    result[i].reserve(inputs.size());
    for (size_t k = 0; k < inputs.size(); ++k) result[i].push_back(std::move(per_input[k][i]));
  }
  return result;
}

}  // namespace compressd::data
