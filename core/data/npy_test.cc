#include "core/data/npy.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/data/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::data {
namespace {

using ir::DataType;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempFolder;
using testing::WriteBytes;

// A .npy file assembled by hand: prefix for `major`.`minor`, the header text as given (no padding
// added), then `data`.
std::vector<uint8_t> Npy(int major, int minor, const std::string& header,
                         const std::vector<uint8_t>& data = {}) {
  std::vector<uint8_t> out = {
      0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), static_cast<uint8_t>(minor)};
  const uint32_t len = static_cast<uint32_t>(header.size());
  const int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) out.push_back(static_cast<uint8_t>(len >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> Bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int b : v) out.push_back(static_cast<uint8_t>(b));
  return out;
}

std::vector<uint8_t> FloatBytes(std::initializer_list<float> v) {
  std::vector<uint8_t> out(v.size() * 4);
  std::memcpy(out.data(), std::data(v), out.size());
  return out;
}

absl::StatusOr<TensorData> Parse(const std::vector<uint8_t>& bytes,
                                 int64_t max = kDefaultMaxTensorBytes) {
  return ParseNpy(bytes, "t.npy", max);
}

// Expects `bytes` to fail with `code` and a message containing `fragment` (and the name).
void ExpectError(const std::vector<uint8_t>& bytes, absl::StatusCode code,
                 const std::string& fragment) {
  absl::StatusOr<TensorData> t = Parse(bytes);
  ASSERT_FALSE(t.ok()) << "expected an error containing '" << fragment << "'";
  EXPECT_EQ(t.status().code(), code) << t.status();
  EXPECT_THAT(t.status().message(), HasSubstr(fragment));
  EXPECT_THAT(std::string(t.status().message()), StartsWith("t.npy: "));
}

// ---- writer -------------------------------------------------------------------------------------

TEST(NpyWriteTest, HeaderMatchesNumpySave) {
  // np.save of np.zeros((2, 3), np.float32) writes exactly this 128-byte header.
  TensorData t;
  t.type = DataType::kFloat32;
  t.shape = {2, 3};
  t.bytes.assign(24, 0);
  absl::StatusOr<std::vector<uint8_t>> bytes = EncodeNpy(t);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string expected = "\x93NUMPY\x01";
  expected.push_back('\0');
  expected += "\x76";  // header length 118, little-endian
  expected.push_back('\0');
  expected += dict + std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  ASSERT_EQ(bytes->size(), 128u + 24u);
  EXPECT_EQ(std::string(bytes->begin(), bytes->begin() + 128), expected);
}

TEST(NpyWriteTest, OneDimensionalAndScalarShapes) {
  TensorData t;
  t.type = DataType::kUInt8;
  t.shape = {3};
  t.bytes = {1, 2, 3};
  absl::StatusOr<std::vector<uint8_t>> bytes = EncodeNpy(t);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(std::string(bytes->begin(), bytes->end()),
              HasSubstr("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"));
  t.shape = {};
  t.bytes = {7};
  bytes = EncodeNpy(t);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(std::string(bytes->begin(), bytes->end()), HasSubstr("'shape': (), }"));
  EXPECT_EQ(bytes->size() % 64, 1u);  // 64-byte aligned header + one data byte
}

TEST(NpyWriteTest, RejectsUnrepresentableAndInconsistentTensors) {
  TensorData t;
  t.type = DataType::kBFloat16;
  t.shape = {1};
  t.bytes = {0, 0};
  EXPECT_EQ(EncodeNpy(t).status().code(), absl::StatusCode::kUnimplemented);
  t.type = DataType::kFloat32;
  t.bytes = {0, 0};  // needs 4
  EXPECT_EQ(EncodeNpy(t).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NpyWriteTest, HugeHeaderUsesVersion2) {
  TensorData t;
  t.type = DataType::kInt8;
  t.shape.assign(30000, 1);  // "1, " x 30000 > 65535 bytes of header
  t.bytes = {5};
  absl::StatusOr<std::vector<uint8_t>> bytes = EncodeNpy(t);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[6], 2);
  const uint32_t len = (*bytes)[8] | ((*bytes)[9] << 8) | ((*bytes)[10] << 16) |
                       (static_cast<uint32_t>((*bytes)[11]) << 24);
  EXPECT_EQ((12 + len) % 64, 0u);
  EXPECT_EQ(12 + len + 1, bytes->size());
  EXPECT_EQ((*bytes)[12 + len - 1], '\n');
}

// ---- round trips --------------------------------------------------------------------------------

TEST(NpyRoundTripTest, EveryDtypeAndShape) {
  const DataType types[] = {DataType::kFloat16, DataType::kFloat32, DataType::kFloat64,
                            DataType::kInt8,    DataType::kInt16,   DataType::kInt32,
                            DataType::kInt64,   DataType::kUInt8,   DataType::kUInt16,
                            DataType::kUInt32,  DataType::kUInt64,  DataType::kBool};
  const std::vector<std::vector<int32_t>> shapes = {{}, {0}, {5}, {2, 3}, {1, 2, 3, 4}, {3, 0, 2}};
  std::mt19937 rng(1234);
  for (DataType type : types) {
    for (const std::vector<int32_t>& shape : shapes) {
      SCOPED_TRACE(absl::StrCat(ir::DataTypeName(type), " ", FormatShape(shape)));
      TensorData t;
      t.type = type;
      t.shape = shape;
      t.bytes.resize(t.NumElements() * ir::DataTypeSize(type));
      for (uint8_t& b : t.bytes)
        b = static_cast<uint8_t>(type == DataType::kBool ? rng() % 2 : rng());
      absl::StatusOr<std::vector<uint8_t>> bytes = EncodeNpy(t);
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      absl::StatusOr<TensorData> back = Parse(*bytes);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, t);
    }
  }
}

TEST(NpyRoundTripTest, SaveAndLoadFile) {
  TempFolder dir;
  TensorData t;
  t.type = DataType::kInt32;
  t.shape = {2, 2};
  t.bytes = Bytes({1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80});
  const std::string path = dir.Join("x.npy");
  ASSERT_TRUE(SaveNpy(path, t).ok());
  absl::StatusOr<TensorData> back = LoadNpy(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, t);
  const std::vector<int32_t> expected = {1, 2, -1, std::numeric_limits<int32_t>::min()};
  EXPECT_EQ(std::vector<int32_t>(back->values<int32_t>().begin(), back->values<int32_t>().end()),
            expected);
}

// ---- hand-written headers -----------------------------------------------------------------------

TEST(NpyParseTest, Version1Basic) {
  absl::StatusOr<TensorData> t =
      Parse(Npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n",
                FloatBytes({1.5f, -2.0f})));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->type, DataType::kFloat32);
  EXPECT_EQ(t->shape, std::vector<int32_t>({2}));
  EXPECT_EQ(t->values<float>()[0], 1.5f);
  EXPECT_EQ(t->values<float>()[1], -2.0f);
}

TEST(NpyParseTest, Versions2And3) {
  for (int major : {2, 3}) {
    absl::StatusOr<TensorData> t =
        Parse(Npy(major, 0, "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2), }   \n",
                  Bytes({0x01, 0x02, 0xff, 0x7f})));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->type, DataType::kInt16);
    EXPECT_EQ(t->shape, std::vector<int32_t>({1, 2}));
    EXPECT_EQ(t->values<int16_t>()[0], 0x0201);
    EXPECT_EQ(t->values<int16_t>()[1], 0x7fff);
  }
}

TEST(NpyParseTest, KeyOrderSpacingQuotesAndTrailingComma) {
  const std::string headers[] = {
      "{\"shape\":(3,),\"descr\":\"|u1\",\"fortran_order\":False}",
      "{ 'fortran_order' : False ,\t'shape' :( 3 , ) ,\n 'descr' : '|u1' , }\n",
      "  {'shape': (3L,), 'descr': '<u1', 'fortran_order': False}     \n",
      "{'descr':'|u1','fortran_order':False,'shape':(+3,),}",
  };
  for (const std::string& h : headers) {
    SCOPED_TRACE(h);
    absl::StatusOr<TensorData> t = Parse(Npy(1, 0, h, Bytes({7, 8, 9})));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->type, DataType::kUInt8);
    EXPECT_EQ(t->shape, std::vector<int32_t>({3}));
    EXPECT_EQ(t->bytes, Bytes({7, 8, 9}));
  }
}

TEST(NpyParseTest, ShapeTupleForms) {
  struct Case {
    std::string tuple;
    std::vector<int32_t> shape;
  };
  const Case cases[] = {{"()", {}},
                        {"(4,)", {4}},
                        {"(1, 4)", {1, 4}},
                        {"(1,4,)", {1, 4}},
                        {"(2, 1, 2)", {2, 1, 2}},
                        {"( )", {}},
                        {"(0, 9)", {0, 9}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tuple);
    int64_t n = 1;
    for (int32_t d : c.shape) n *= d;
    absl::StatusOr<TensorData> t =
        Parse(Npy(1, 0, "{'descr': '|i1', 'fortran_order': False, 'shape': " + c.tuple + "}",
                  std::vector<uint8_t>(n, 1)));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->shape, c.shape);
    EXPECT_EQ(t->type, DataType::kInt8);
  }
}

TEST(NpyParseTest, AllDtypes) {
  struct Case {
    const char* descr;
    DataType type;
  };
  const Case cases[] = {
      {"<f2", DataType::kFloat16}, {"<f4", DataType::kFloat32}, {"<f8", DataType::kFloat64},
      {"<i1", DataType::kInt8},    {"|i1", DataType::kInt8},    {"<i2", DataType::kInt16},
      {"<i4", DataType::kInt32},   {"<i8", DataType::kInt64},   {"<u1", DataType::kUInt8},
      {"|u1", DataType::kUInt8},   {"<u2", DataType::kUInt16},  {"<u4", DataType::kUInt32},
      {"<u8", DataType::kUInt64},  {"|b1", DataType::kBool},    {">i1", DataType::kInt8}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.descr);
    const int size = ir::DataTypeSize(c.type);
    absl::StatusOr<TensorData> t = Parse(Npy(
        1, 0, std::string("{'descr': '") + c.descr + "', 'fortran_order': False, 'shape': (2,)}",
        std::vector<uint8_t>(2 * size, 1)));
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->type, c.type);
    EXPECT_EQ(t->bytes.size(), static_cast<size_t>(2 * size));
  }
}

TEST(NpyParseTest, BigEndianIsByteSwapped) {
  absl::StatusOr<TensorData> t =
      Parse(Npy(1, 0, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,)}",
                Bytes({0x00, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xfe})));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<int32_t>()[0], 258);
  EXPECT_EQ(t->values<int32_t>()[1], -2);

  t = Parse(Npy(1, 0, "{'descr': '>f4', 'fortran_order': False, 'shape': ()}",
                Bytes({0x3f, 0xc0, 0x00, 0x00})));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<float>()[0], 1.5f);

  t = Parse(Npy(1, 0, "{'descr': '>u8', 'fortran_order': False, 'shape': (1,)}",
                Bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08})));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<uint64_t>()[0], 0x0102030405060708u);

  t = Parse(Npy(1, 0, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,)}",
                Bytes({0xc0, 0x04, 0, 0, 0, 0, 0, 0})));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<double>()[0], -2.5);
}

TEST(NpyParseTest, ByteOrderErrors) {
  ExpectError(
      Npy(1, 0, "{'descr': '=f4', 'fortran_order': False, 'shape': (1,)}", Bytes({0, 0, 0, 0})),
      absl::StatusCode::kInvalidArgument, "native byte order");
  ExpectError(
      Npy(1, 0, "{'descr': '|f4', 'fortran_order': False, 'shape': (1,)}", Bytes({0, 0, 0, 0})),
      absl::StatusCode::kInvalidArgument, "multi-byte");
}

TEST(NpyParseTest, UnsupportedDtypes) {
  for (const char* descr : {"<c8", "<U5", "|O", "|S3", "<f16", "<m8", "", "f4", "<f3"}) {
    SCOPED_TRACE(descr);
    ExpectError(
        Npy(1, 0, std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (1,)}"),
        absl::StatusCode::kUnimplemented, "unsupported dtype");
  }
  ExpectError(Npy(1, 0, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}"),
              absl::StatusCode::kUnimplemented, "structured dtypes");
}

TEST(NpyParseTest, FortranOrderIsUnimplemented) {
  ExpectError(Npy(1, 0, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2)}",
                  std::vector<uint8_t>(16)),
              absl::StatusCode::kUnimplemented, "Fortran-order");
}

TEST(NpyParseTest, BadPrefix) {
  ExpectError({}, absl::StatusCode::kInvalidArgument, "bad magic");
  ExpectError(Bytes({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}), absl::StatusCode::kInvalidArgument,
              "bad magic");
  ExpectError(Bytes({0x93, 'N', 'U', 'M', 'P', 'Y', 1}), absl::StatusCode::kInvalidArgument,
              "truncated header");
  ExpectError(Bytes({0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 10}), absl::StatusCode::kInvalidArgument,
              "truncated header");
  ExpectError(Bytes({0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 10, 0, 0}),
              absl::StatusCode::kInvalidArgument, "truncated header");
  ExpectError(Npy(4, 0, "{}"), absl::StatusCode::kUnimplemented, "format version 4.0");
  ExpectError(Npy(1, 1, "{}"), absl::StatusCode::kUnimplemented, "format version 1.1");
  ExpectError(Npy(0, 0, "{}"), absl::StatusCode::kUnimplemented, "format version 0.0");
}

TEST(NpyParseTest, HeaderLengthPastEndOrTooLarge) {
  std::vector<uint8_t> b = Npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': ()}");
  b[8] = 0xff;  // claims 255 + ... bytes of header
  ExpectError(b, absl::StatusCode::kInvalidArgument, "runs past the end");
  std::vector<uint8_t> v2 = Bytes({0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0xff});
  ExpectError(v2, absl::StatusCode::kInvalidArgument, "header length 4294967295 exceeds the limit");
}

TEST(NpyParseTest, MalformedDicts) {
  struct Case {
    std::string header;
    std::string fragment;
  };
  const Case cases[] = {
      {"", "does not start with '{'"},
      {"'descr': '<f4'", "does not start with '{'"},
      {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
      {"{'shape': (1,), 'fortran_order': False}", "missing key 'descr'"},
      {"{'shape': (1,), 'descr': '<f4'}", "missing key 'fortran_order'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
       "unexpected key 'extra'"},
      {"{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", "shape is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,,)}", "expected a dimension"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "negative dimension"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}", "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", "unexpected text after"},
      {"{'descr: '<f4', 'fortran_order': False, 'shape': (1,)}", "expected ':'"},
      {"{'descr': '<f4\\n', 'fortran_order': False, 'shape': (1,)}", "escape sequences"},
      {"{'descr': '<f4", "unterminated string"},
      {"{descr: '<f4', 'fortran_order': False, 'shape': (1,)}", "expected a quoted string"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}", "expected ':'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    ExpectError(Npy(1, 0, c.header, std::vector<uint8_t>(4)), absl::StatusCode::kInvalidArgument,
                c.fragment);
  }
}

TEST(NpyParseTest, ShapeLimits) {
  ExpectError(Npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648,)}"),
              absl::StatusCode::kInvalidArgument, "dimension larger than 2147483647");
  ExpectError(Npy(1, 0,
                  "{'descr': '<f4', 'fortran_order': False, 'shape': "
                  "(99999999999999999999999999,)}"),
              absl::StatusCode::kInvalidArgument, "dimension larger than 2147483647");
  ExpectError(Npy(1, 0,
                  "{'descr': '<f4', 'fortran_order': False, 'shape': "
                  "(2147483647, 2147483647, 2147483647)}"),
              absl::StatusCode::kInvalidArgument, "more elements than fit in 64 bits");
  // 2^31-1 squared fits in int64 elements, but not once multiplied by 8 bytes.
  ExpectError(Npy(1, 0,
                  "{'descr': '<f8', 'fortran_order': False, 'shape': "
                  "(2147483647, 2147483647)}"),
              absl::StatusCode::kInvalidArgument, "more elements than fit in 64 bits");
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1,";
  many += ")";
  ExpectError(Npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': " + many + "}"),
              absl::StatusCode::kInvalidArgument, "more than 64 dimensions");
}

TEST(NpyParseTest, DataSizeMustMatchExactly) {
  const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}";
  ExpectError(Npy(1, 0, h, std::vector<uint8_t>(15)), absl::StatusCode::kInvalidArgument,
              "array data is 15 bytes but shape [2,2] of float32 needs 16 bytes (file truncated)");
  ExpectError(Npy(1, 0, h, std::vector<uint8_t>(17)), absl::StatusCode::kInvalidArgument,
              "array data is 17 bytes but shape [2,2] of float32 needs 16 bytes (trailing bytes)");
  ExpectError(Npy(1, 0, h), absl::StatusCode::kInvalidArgument, "(file truncated)");
  EXPECT_TRUE(Parse(Npy(1, 0, h, std::vector<uint8_t>(16))).ok());
}

TEST(NpyParseTest, MaxBytesLimitIsCheckedBeforeTheData) {
  const std::vector<uint8_t> b =
      Npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,)}");
  absl::StatusOr<TensorData> t = Parse(b, 1 << 20);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(t.status().message(), HasSubstr("4000000000 bytes, more than the limit of 1048576"));
  const std::vector<uint8_t> small = Npy(
      1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", std::vector<uint8_t>(16));
  EXPECT_EQ(Parse(small, 15).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Parse(small, 16).ok());
}

TEST(NpyParseTest, BoolValuesMustBeZeroOrOne) {
  const std::string h = "{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}";
  EXPECT_TRUE(Parse(Npy(1, 0, h, Bytes({0, 1, 1}))).ok());
  ExpectError(Npy(1, 0, h, Bytes({0, 2, 1})), absl::StatusCode::kInvalidArgument,
              "bool element 1 has value 2");
}

TEST(NpyParseTest, ParseHeaderReportsOffsetAndVersion) {
  const std::string h = "{'descr': '<u2', 'fortran_order': False, 'shape': (3, 1)}";
  absl::StatusOr<NpyHeader> header = ParseNpyHeader(Npy(3, 0, h), "h.npy");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->major_version, 3);
  EXPECT_EQ(header->data_offset, static_cast<int64_t>(12 + h.size()));
  EXPECT_EQ(header->type, DataType::kUInt16);
  EXPECT_FALSE(header->big_endian);
  EXPECT_EQ(header->shape, std::vector<int32_t>({3, 1}));
}

// Every truncation and hundreds of seeded random corruptions of a valid file: a status or a
// tensor consistent with its header, never a crash (run under ASan/UBSan too).
TEST(NpyParseTest, TruncationsAndCorruptionsNeverCrash) {
  TensorData t;
  t.type = DataType::kFloat32;
  t.shape = {3, 4};
  t.bytes.assign(48, 0x3f);
  absl::StatusOr<std::vector<uint8_t>> good = EncodeNpy(t);
  ASSERT_TRUE(good.ok());
  for (size_t n = 0; n < good->size(); ++n) {
    const std::vector<uint8_t> cut(good->begin(), good->begin() + n);
    EXPECT_FALSE(Parse(cut).ok()) << "truncated to " << n;
  }
  std::mt19937 rng(42);
  int ok_count = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<uint8_t> b = *good;
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % 128;  // the header, where the parsing is
      switch (rng() % 3) {
        case 0: b[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: b[pos] = static_cast<uint8_t>(rng()); break;
        case 2: b[pos] = "(),:'\" 0123456789{}LTF<>|"[rng() % 25]; break;
      }
    }
    absl::StatusOr<TensorData> r = Parse(b);
    if (r.ok()) {
      ++ok_count;
      EXPECT_TRUE(CheckTensorData(*r).ok());
    } else {
      EXPECT_THAT(std::string(r.status().message()), StartsWith("t.npy: "));
    }
  }
  EXPECT_LT(ok_count, 2000);  // the corruptions do reach the error paths
}

// ---- files --------------------------------------------------------------------------------------

TEST(NpyFileTest, LoadErrorsNameTheFile) {
  TempFolder dir;
  const std::string missing = dir.Join("missing.npy");
  absl::StatusOr<TensorData> t = LoadNpy(missing);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr(missing));

  const std::string bad = dir.Join("bad.npy");
  WriteBytes(bad, Bytes({1, 2, 3}));
  t = LoadNpy(bad);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(t.status().message()), StartsWith(bad + ": not a .npy file"));

  const std::string big = dir.Join("big.npy");
  WriteBytes(big, Npy(1, 0, "{'descr': '<f4', 'fortran_order': False, 'shape': (100,)}",
                      std::vector<uint8_t>(400)));
  t = LoadNpy(big, 399);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(t.status().message(), HasSubstr("400 bytes, more than the limit of 399"));
  t = LoadNpy(big, 400);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->bytes.size(), 400u);
}

TEST(NpyFileTest, BigEndianFileIsSwappedOnLoad) {
  TempFolder dir;
  const std::string path = dir.Join("be.npy");
  WriteBytes(path, Npy(1, 0, "{'descr': '>u2', 'fortran_order': False, 'shape': (2,)}",
                       Bytes({0x12, 0x34, 0xab, 0xcd})));
  absl::StatusOr<TensorData> t = LoadNpy(path);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<uint16_t>()[0], 0x1234);
  EXPECT_EQ(t->values<uint16_t>()[1], 0xabcd);
}

TEST(RawTensorTest, LoadsExactSize) {
  TempFolder dir;
  const std::string path = dir.Join("x.bin");
  WriteBytes(path, FloatBytes({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}));
  const std::vector<int32_t> shape = {1, 2, 3};
  absl::StatusOr<TensorData> t = LoadRawTensor(path, DataType::kFloat32, shape);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape, shape);
  EXPECT_EQ(t->values<float>()[5], 6.0f);

  const std::vector<int32_t> wrong = {1, 2, 2};
  t = LoadRawTensor(path, DataType::kFloat32, wrong);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              HasSubstr(path + ": raw file is 24 bytes but float32 [1,2,2] needs exactly 16"));
  const std::vector<int32_t> bigger = {1, 2, 4};
  EXPECT_THAT(LoadRawTensor(path, DataType::kFloat32, bigger).status().message(),
              HasSubstr("raw file is 24 bytes but float32 [1,2,4] needs exactly 32"));
  EXPECT_EQ(LoadRawTensor(path, DataType::kFloat32, shape, 23).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(LoadRawTensor(path, DataType::kString, shape).status().code(),
            absl::StatusCode::kUnimplemented);
  const std::vector<int32_t> negative = {-1, 6};
  EXPECT_EQ(LoadRawTensor(path, DataType::kFloat32, negative).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadRawTensor(dir.Join("none.bin"), DataType::kFloat32, shape).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(RawTensorTest, BoolValuesChecked) {
  TempFolder dir;
  const std::string path = dir.Join("b.bin");
  WriteBytes(path, Bytes({0, 1, 3}));
  const std::vector<int32_t> shape = {3};
  absl::StatusOr<TensorData> t = LoadRawTensor(path, DataType::kBool, shape);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("bool element 2 has value 3"));
}

}  // namespace
}  // namespace compressd::data
