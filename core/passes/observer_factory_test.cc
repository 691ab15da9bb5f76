#include "core/passes/observer_factory.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

TEST(ObserverFactoryTest, EveryKindHasItsObserver) {
  const std::vector<std::pair<ObserverKind, std::string>> kinds = {
      {ObserverKind::kMinMax, "minmax"},
      {ObserverKind::kEma, "ema"},
      {ObserverKind::kPercentile, "percentile"},
      {ObserverKind::kMse, "mse"},
      {ObserverKind::kKl, "kl"}};
  for (const auto& [kind, name] : kinds) {
    QuantizeOptions o;
    o.observer = kind;
    auto obs = MakeObserver(o);
    ASSERT_TRUE(obs.ok()) << obs.status();
    EXPECT_EQ((*obs)->name(), name);
    EXPECT_EQ(name, ObserverKindName(kind));
    (*obs)->Observe(std::vector<float>{-1.0f, 0.0f, 2.0f});
    auto range = (*obs)->GetRange();
    ASSERT_TRUE(range.ok()) << name;
    EXPECT_LE(range->min, 0.0f) << name;
    EXPECT_GT(range->max, 0.0f) << name;
  }
}

TEST(ObserverFactoryTest, PercentileIsHonouredAndValidated) {
  QuantizeOptions o;
  o.observer = ObserverKind::kPercentile;
  o.percentile = 50.0;
  auto obs = MakeObserver(o);
  ASSERT_TRUE(obs.ok());
  std::vector<float> ramp(1000);
  for (int i = 0; i < 1000; ++i) ramp[static_cast<size_t>(i)] = static_cast<float>(i);
  (*obs)->Observe(ramp);
  auto r = (*obs)->GetRange();
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->max, 500.0f, 2.0f);
  for (double bad : {0.0, -1.0, 100.5}) {
    o.percentile = bad;
    auto e = MakeObserver(o);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  o.percentile = 99.0;
  EXPECT_EQ(MakeObserver(o, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeObserver(o, 17).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(MakeObserver(o, 16).ok());
}

}  // namespace
}  // namespace compressd::passes
