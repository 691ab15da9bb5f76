#include "core/base/json_writer.h"

#include <limits>

#include "gtest/gtest.h"

namespace compressd {
namespace {

TEST(JsonWriterTest, CompactNestedDocument) {
  JsonWriter w(/*indent=*/0);
  w.BeginObject();
  w.Key("name");
  w.String("a\"b\\c\n\x01");
  w.Key("shape");
  w.BeginArray();
  w.Int(1);
  w.Int(-3);
  w.EndArray();
  w.Key("empty");
  w.BeginArray();
  w.EndArray();
  w.Key("ok");
  w.Bool(true);
  w.Key("x");
  w.Double(0.5);
  w.Key("nan");
  w.Double(std::numeric_limits<double>::quiet_NaN());
  w.Key("none");
  w.Null();
  w.EndObject();
  EXPECT_EQ(w.output(),
            "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"shape\":[1,-3],\"empty\":[],\"ok\":true,"
            "\"x\":0.5,\"nan\":null,\"none\":null}");
}

TEST(JsonWriterTest, PrettyPrintIndents) {
  JsonWriter w(2);
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Uint(7);
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.output(), "{\n  \"a\": [\n    7\n  ]\n}");
}

}  // namespace
}  // namespace compressd
