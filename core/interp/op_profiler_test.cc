#include "core/interp/op_profiler.h"

#include <cstring>
#include <numeric>

#include "absl/strings/str_join.h"
#include "core/interp/input_fill.h"
#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::interp {
namespace {

TEST(OpProfilerTest, AttributesTimeToEveryOperatorOverSeveralInvocations) {
  const ir::Model model = tflite::testing::TinyConvModel();
  InterpreterOptions options;
  options.fold_constants = false;
  auto interp = Interpreter::Create(model, options);
  ASSERT_TRUE(interp.ok()) << interp.status();
  ASSERT_TRUE(FillDeterministic((*interp)->input(0).type, (*interp)->mutable_input(0)).ok());
  OpProfiler profiler(model);
  profiler.Attach(**interp);
  for (int r = 0; r < 3; ++r) {
    profiler.BeginInvoke();
    ASSERT_TRUE((*interp)->Invoke().ok());
  }
  EXPECT_EQ(profiler.invocations(), 3);
  ASSERT_EQ(profiler.per_operator_ms().size(), model.subgraphs[0].operators.size());
  for (double ms : profiler.per_operator_ms()) EXPECT_GT(ms, 0.0);
  const std::vector<OpKindTime> kinds = profiler.ByKind();
  ASSERT_EQ(kinds.size(), 1u);
  EXPECT_EQ(kinds[0].kind, "CONV_2D float32");
  EXPECT_EQ(kinds[0].operators, 1);
  EXPECT_DOUBLE_EQ(kinds[0].total_ms,
                   std::accumulate(profiler.per_operator_ms().begin(),
                                   profiler.per_operator_ms().end(), 0.0));
}

TEST(OpProfilerTest, GroupsOperatorsOfOneKind) {
  ir::Model model = tflite::testing::TinyConvModel();
  // A second CONV_2D on the first one's output: both fall in one kind.
  ir::Subgraph& sg = model.subgraphs[0];
  const ir::Operator first = sg.operators[0];
  ir::Tensor out2 = sg.tensors[2];
  out2.name = "output2";
  sg.tensors.push_back(out2);
  ir::Tensor filter2 = sg.tensors[1];
  filter2.name = "filter2";
  filter2.shape = {2, 3, 3, 2};
  std::vector<float> f(36, 0.25f);
  std::vector<uint8_t> bytes(f.size() * sizeof(float));
  std::memcpy(bytes.data(), f.data(), bytes.size());
  filter2.buffer = model.AddBuffer(bytes);
  sg.tensors.push_back(filter2);
  ir::Operator second = first;
  second.inputs = {2, 4, -1};
  second.outputs = {3};
  sg.operators.push_back(second);
  sg.outputs = {3};
  auto interp = Interpreter::Create(model);
  ASSERT_TRUE(interp.ok()) << interp.status();
  OpProfiler profiler(model);
  profiler.Attach(**interp);
  profiler.BeginInvoke();
  ASSERT_TRUE((*interp)->Invoke().ok());
  const std::vector<OpKindTime> kinds = profiler.ByKind();
  ASSERT_EQ(kinds.size(), 1u);
  EXPECT_EQ(kinds[0].operators, 2);
  EXPECT_GT(profiler.per_operator_ms()[0], 0.0);
  EXPECT_GT(profiler.per_operator_ms()[1], 0.0);

  // Slowest: ordered by time, each operator described with its shapes.
  const std::vector<OpTime> slowest = profiler.Slowest(5);
  ASSERT_EQ(slowest.size(), 2u);
  EXPECT_GE(slowest[0].total_ms, slowest[1].total_ms);
  EXPECT_NE(slowest[0].operator_index, slowest[1].operator_index);
  for (const OpTime& t : slowest) {
    EXPECT_DOUBLE_EQ(t.total_ms, profiler.per_operator_ms()[static_cast<size_t>(t.operator_index)]);
    const auto& in_shape = sg.tensors[static_cast<size_t>(sg.operators[t.operator_index].inputs[0])].shape;
    EXPECT_EQ(t.description.rfind("CONV_2D float32 [", 0), 0u) << t.description;
    EXPECT_NE(t.description.find(absl::StrJoin(in_shape, ",")), std::string::npos)
        << t.description;
    EXPECT_NE(t.description.find(" -> ["), std::string::npos) << t.description;
  }
  EXPECT_EQ(profiler.Slowest(1).size(), 1u);
  EXPECT_TRUE(profiler.Slowest(0).empty());
}

}  // namespace
}  // namespace compressd::interp
