// The shape-only ops (RESHAPE, SQUEEZE, EXPAND_DIMS) move int8 / int16 data unchanged, as TFLite.
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;

TEST(ReshapeInt8Test, DataIsCopiedUnchanged) {
  const std::vector<int8_t> in = {-128, -1, 0, 1, 2, 127};
  {
    OpHarness h(ReshapeKernel());
    h.AddInput(ir::DataType::kInt8, Shape{2, 3}, in, Q(0.1f, -5));
    h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{3, -1});
    h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, -5));
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), (Shape{3, 2}));
    EXPECT_EQ(h.OutputData<int8_t>(0), in);
  }
  {
    ir::SqueezeOptions o;
    o.squeeze_dims = {0};
    OpHarness h(SqueezeKernel(), o);
    h.AddInput(ir::DataType::kInt8, Shape{1, 6}, in, Q(0.1f, -5));
    h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, -5));
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), (Shape{6}));
    EXPECT_EQ(h.OutputData<int8_t>(0), in);
  }
  {
    OpHarness h(ExpandDimsKernel());
    h.AddInput(ir::DataType::kInt16, Shape{3}, std::vector<int16_t>{-32768, 0, 32767},
               Q(0.001f, 0));
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});
    h.AddOutput(ir::DataType::kInt16, Shape(), Q(0.001f, 0));
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), (Shape{1, 3}));
    EXPECT_EQ(h.OutputData<int16_t>(0), (std::vector<int16_t>{-32768, 0, 32767}));
  }
}

}  // namespace
}  // namespace compressd::kernels
