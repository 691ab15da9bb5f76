// Calibration / evaluation sample sets loaded from files and folders given by untrusted users.
//
// Enumeration (ListSampleFiles): a path is either a file or a folder. A folder contributes its
// entries sorted by name (bytewise), non-recursively unless options.recursive; names starting with
// '.' are skipped, as are entries that are not regular files or folders (FIFOs, sockets, ...) and,
// when recursive, symbolic links to folders (no cycles). The file type comes from the extension,
// case-insensitively:
//   .npy              NumPy array (core/data/npy.h)
//   .bin, .raw        raw little-endian data of exactly one sample (input dtype and shape)
//   .png, .jpg, .jpeg image (format then detected from the magic bytes, core/data/image.h),
//                     preprocessed into the input tensor (core/data/preprocess.h)
// Anything else is an error naming the file ("unknown file type"), also inside folders: a stray
// file is reported rather than silently dropped.
//
// Samples: a .npy file whose shape equals the input's shape is one sample; a .npy whose shape is
// [N] + input shape is a batch of N samples, and so is [N] + input_shape[1:] when the input's
// leading (batch) dimension is 1 (so [100,224,224,3] feeds input [1,224,224,3] 100 times).
// Its dtype must equal the input's dtype exactly (no implicit conversion).
//
// Models with several inputs: inputs are matched by POSITION: paths[k] (a file or a folder)
// holds the samples of input k, so exactly one path per input is required, and every input must
// get the same number of samples; sample i is then {sample i of paths[0], ..., of paths[K-1]}.
// With a single input, all paths are concatenated in the order given.
//
// Errors name the file: wrong shape ("x.npy has shape [1,3,224,224], input 0 needs
// [1,224,224,3]"), wrong dtype, corrupt images, unknown file types, missing paths (NOT_FOUND) and
// empty sets ("no samples found in DIR"); memory is bounded by DatasetOptions.
#ifndef COMPRESSD_CORE_DATA_DATASET_H_
#define COMPRESSD_CORE_DATA_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/image.h"
#include "core/data/input_spec.h"
#include "core/data/npy.h"
#include "core/data/preprocess.h"
#include "core/data/tensor_data.h"

namespace compressd::data {

struct DatasetOptions {
  bool recursive = false;                           // descend into sub-folders
  int64_t max_samples = 0;                          // per input; 0 = no limit (stops early)
  int64_t max_files = int64_t{1} << 20;             // per path, after enumeration
  int64_t max_file_bytes = kDefaultMaxTensorBytes;  // per .npy/.raw file (data bytes)
  int64_t max_total_bytes = int64_t{4} << 30;       // all loaded samples together
  ImageLimits image_limits;
};

enum class SampleFileKind { kNpy, kRaw, kImage };

struct SampleFile {
  std::string path;
  SampleFileKind kind = SampleFileKind::kNpy;
  bool operator==(const SampleFile&) const = default;
};

// The kind of `path` from its extension, or INVALID_ARGUMENT ("unknown file type").
absl::StatusOr<SampleFileKind> ClassifySampleFile(const std::string& path);

// The sample files of one path (a file, or a folder enumerated as described above).
// NOT_FOUND when the path does not exist; INVALID_ARGUMENT for unknown file types, a path that is
// neither a regular file nor a folder, or a folder without samples ("no samples found in DIR");
// RESOURCE_EXHAUSTED beyond options.max_files.
absl::StatusOr<std::vector<SampleFile>> ListSampleFiles(const std::string& path,
                                                        const DatasetOptions& options = {});

// The samples of one file for `input` (index `input_index` is used in messages only).
absl::StatusOr<std::vector<TensorData>> LoadSampleFile(const SampleFile& file,
                                                       const InputSpec& input, int input_index,
                                                       const PreprocessSpec& preprocess,
                                                       const DatasetOptions& options = {});

// Loads the whole set: result[i][k] is sample i for model input k (see the matching rules above).
// INVALID_ARGUMENT when `paths` or `inputs` is empty, when a multi-input model does not get one
// path per input, or when inputs get different sample counts.
absl::StatusOr<std::vector<std::vector<TensorData>>> LoadSamples(
    const std::vector<std::string>& paths, const std::vector<InputSpec>& inputs,
    const PreprocessSpec& preprocess, const DatasetOptions& options = {});

}  // namespace compressd::data

#endif  // COMPRESSD_CORE_DATA_DATASET_H_
