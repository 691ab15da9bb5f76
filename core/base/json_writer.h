// A small streaming JSON writer for machine output (--json, result.json, reports).
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("name"); w.String("conv");
//   w.Key("shape"); w.BeginArray(); w.Int(1); w.Int(3); w.EndArray();
//   w.EndObject();
//   std::string text = w.TakeOutput();
//
// Strings are escaped per RFC 8259 (control characters as \u00XX; bytes >= 0x80 are passed
// through, so callers provide UTF-8). Non-finite doubles are written as null. Commas are inserted
// automatically; the caller is responsible for balanced Begin/End calls. Not thread-safe.
#ifndef COMPRESSD_CORE_BASE_JSON_WRITER_H_
#define COMPRESSD_CORE_BASE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace compressd {

class JsonWriter {
 public:
  // indent > 0 pretty-prints with that many spaces per level.
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();

  const std::string& output() const { return out_; }
  std::string TakeOutput() { return std::move(out_); }

  static std::string Escape(std::string_view s);

 private:
  void Open(char c);
  void Close(char c);
  void BeforeValue();
  void NewLine();

  std::string out_;
  struct Level {
    bool first = true;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
  int indent_;
};

}  // namespace compressd

#endif  // COMPRESSD_CORE_BASE_JSON_WRITER_H_
