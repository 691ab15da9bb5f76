// Time source for everything in the server that reads the time (leases, back-offs, timestamps),
// so that tests can drive time by hand.
//
// Thread safety: implementations are safe to call from any thread.
#ifndef COMPRESSD_SERVER_UTIL_CLOCK_H_
#define COMPRESSD_SERVER_UTIL_CLOCK_H_

#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace compressd::server {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's real-time clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance (never destroyed).
  static RealClock* Get() {
    static RealClock* clock = new RealClock();
    return clock;
  }
};

// A clock that moves only when told to. Starts at 2024-01-01T00:00:00Z.
class FakeClock final : public Clock {
 public:
  FakeClock() : now_(absl::FromUnixSeconds(1704067200)) {}
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_UTIL_CLOCK_H_
