#include "core/interp/interpreter.h"

#include <cstring>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::interp {
namespace {

using ::testing::HasSubstr;

// A same-shape float ADD used only by these tests; it also requests scratch so the planner
// places scratch buffers.
absl::Status TestAddPrepare(kernels::OpContext& ctx) {
  const auto* a = ctx.input(0);
  const auto* b = ctx.input(1);
  if (!(a->shape == b->shape)) return absl::InvalidArgumentError("shape mismatch");
  ctx.output(0)->shape = a->shape;
  auto s = ctx.RequestScratch(a->shape.FlatSize() * 4);
  return s.ok() ? absl::OkStatus() : s.status();
}
absl::Status TestAddEval(kernels::OpContext& ctx) {
  const float* a = ctx.input(0)->data_as<const float>();
  const float* b = ctx.input(1)->data_as<const float>();
  float* tmp = static_cast<float*>(ctx.scratch(0));
  float* out = ctx.output(0)->data_as<float>();
  const int64_t n = ctx.input(0)->shape.FlatSize();
  for (int64_t i = 0; i < n; ++i) tmp[i] = a[i] + b[i];
  std::memcpy(out, tmp, n * 4);
  return absl::OkStatus();
}
const kernels::OpKernel kTestAdd = {"ADD", TestAddPrepare, TestAddEval};

std::vector<uint8_t> Floats(std::vector<float> v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<float> AsFloats(std::span<const uint8_t> b) {
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}

class ModelBuilder {
 public:
  ModelBuilder() {
    model_.buffers.emplace_back();  // buffer 0: empty sentinel
    model_.subgraphs.emplace_back();
  }
  int Tensor(std::vector<int32_t> shape, std::vector<float> constant = {}) {
    ir::Tensor t;
    t.shape = shape;
    t.name = "t" + std::to_string(sg().tensors.size());
    if (!constant.empty()) t.buffer = model_.AddBuffer(Floats(constant));
    sg().tensors.push_back(t);
    return static_cast<int>(sg().tensors.size() - 1);
  }
  void Op(ir::BuiltinOp code, std::vector<int32_t> in, std::vector<int32_t> out) {
    ir::OperatorCode c;
    c.builtin_code = code;
    ir::Operator op;
    op.opcode_index = model_.GetOrAddOperatorCode(c);
    op.inputs = in;
    op.outputs = out;
    sg().operators.push_back(op);
  }
  ir::Model& model() { return model_; }
  ir::Subgraph& sg() { return model_.subgraphs[0]; }

 private:
  ir::Model model_;
};

kernels::OpResolver TestResolver() {
  kernels::OpResolver r;
  r.AddBuiltin(ir::BuiltinOp::kAdd, kTestAdd);
  return r;
}

TEST(InterpreterTest, RunsAChainAndReusesMemory) {
  ModelBuilder b;
  const int in = b.Tensor({1, 4});
  const int c = b.Tensor({1, 4}, {1, 2, 3, 4});
  const int t1 = b.Tensor({1, 4});
  const int t2 = b.Tensor({1, 4});
  const int out = b.Tensor({1, 4});
  b.Op(ir::BuiltinOp::kAdd, {in, c}, {t1});
  b.Op(ir::BuiltinOp::kAdd, {t1, t1}, {t2});
  b.Op(ir::BuiltinOp::kAdd, {t2, c}, {out});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  ASSERT_TRUE(interp.ok()) << interp.status();
  ASSERT_TRUE((*interp)->SetInput(0, Floats({10, 20, 30, 40})).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  // ((x + c) * 2) + c
  EXPECT_THAT(AsFloats((*interp)->output_bytes(0)), ::testing::ElementsAre(23, 46, 69, 92));
  // Invoking again gives the same result (inputs persist).
  ASSERT_TRUE((*interp)->Invoke().ok());
  EXPECT_THAT(AsFloats((*interp)->output_bytes(0)), ::testing::ElementsAre(23, 46, 69, 92));
  const MemoryStats& m = (*interp)->memory_stats();
  EXPECT_GT(m.lower_bound_bytes, 0);
  EXPECT_LE(m.arena_bytes, m.lower_bound_bytes * 5 / 4);
  EXPECT_EQ(m.model_constant_bytes, 16);
}

TEST(InterpreterTest, FoldsOperatorsWithConstantInputs) {
  ModelBuilder b;
  const int in = b.Tensor({2});
  const int c1 = b.Tensor({2}, {1, 2});
  const int c2 = b.Tensor({2}, {10, 20});
  const int c3 = b.Tensor({2});
  const int out = b.Tensor({2});
  b.Op(ir::BuiltinOp::kAdd, {c1, c2}, {c3});
  b.Op(ir::BuiltinOp::kAdd, {in, c3}, {out});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  ASSERT_TRUE(interp.ok()) << interp.status();
  EXPECT_EQ((*interp)->num_folded_operators(), 1);
  EXPECT_EQ((*interp)->memory_stats().folded_constant_bytes, 8);
  int observed = 0;
  (*interp)->SetObserver([&](const OperatorEvent& e) {
    ++observed;
    EXPECT_EQ(e.operator_index, 1);
    ASSERT_EQ(e.outputs.size(), 1u);
    EXPECT_EQ(e.outputs[0]->data_as<const float>()[1], 7 + 22);
  });
  ASSERT_TRUE((*interp)->SetInput(0, Floats({5, 7})).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  EXPECT_EQ(observed, 1);
  EXPECT_THAT(AsFloats((*interp)->output_bytes(0)), ::testing::ElementsAre(16, 29));
}

TEST(InterpreterTest, MissingKernelNamesOperator) {
  ModelBuilder b;
  const int in = b.Tensor({2});
  const int out = b.Tensor({2});
  b.Op(ir::BuiltinOp::kSub, {in, in}, {out});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  EXPECT_EQ(interp.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(interp.status().message(), HasSubstr("operator 0 (SUB)"));
}

TEST(InterpreterTest, RejectsOperatorsOutOfExecutionOrder) {
  ModelBuilder b;
  const int in = b.Tensor({2});
  const int t = b.Tensor({2});
  const int out = b.Tensor({2});
  b.Op(ir::BuiltinOp::kAdd, {t, in}, {out});  // t is produced only afterwards
  b.Op(ir::BuiltinOp::kAdd, {in, in}, {t});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  EXPECT_EQ(interp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(interp.status().message(), HasSubstr("reads tensor 1"));
}

TEST(InterpreterTest, RejectsTwoProducersOfOneTensor) {
  ModelBuilder b;
  const int in = b.Tensor({2});
  const int out = b.Tensor({2});
  b.Op(ir::BuiltinOp::kAdd, {in, in}, {out});
  b.Op(ir::BuiltinOp::kAdd, {in, in}, {out});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  EXPECT_EQ(interp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(interp.status().message(), HasSubstr("operator 1 (ADD) writes tensor 1"));
}

TEST(InterpreterTest, PrepareErrorsCarryOperatorIndex) {
  ModelBuilder b;
  const int in = b.Tensor({2});
  const int other = b.Tensor({3}, {1, 2, 3});
  const int out = b.Tensor({2});
  b.Op(ir::BuiltinOp::kAdd, {in, other}, {out});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  EXPECT_EQ(interp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(interp.status().message(), "operator 0 (ADD): shape mismatch");
}

TEST(InterpreterTest, SetInputChecksSize) {
  ModelBuilder b;
  const int in = b.Tensor({2});
  const int out = b.Tensor({2});
  b.Op(ir::BuiltinOp::kAdd, {in, in}, {out});
  b.sg().inputs = {in};
  b.sg().outputs = {out};
  const kernels::OpResolver resolver = TestResolver();
  auto interp = Interpreter::Create(b.model(), {.resolver = &resolver});
  ASSERT_TRUE(interp.ok());
  absl::Status s = (*interp)->SetInput(0, Floats({1, 2, 3}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("needs 8 bytes, got 12"));
  EXPECT_EQ((*interp)->SetInput(3, Floats({1})).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::interp
