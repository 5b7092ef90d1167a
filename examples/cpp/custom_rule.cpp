// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// A custom aggregation rule on the C++ API: the 极差率 (range ratio) between schools, largest value
// over smallest — a common measure of 校际差距 beside the coefficient of variation. It is built like
// planeval's own rules: a small value type that observes values, merges partial states exactly
// with +=, has an identity (the empty state) and serialises its state, so one pass, threads, and
// states computed elsewhere and shipped as bytes all give the same result.
//
// Usage: custom_rule. Prints the ratio for five schools' 生均教学仪器设备值 (元) and checks that
// merged partial states and a byte round trip equal the one-pass state; exit 0 when they do.
#include <planeval.hpp>

#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

namespace {

/// max / min of the observed values (all > 0); nullopt without data.
class range_ratio {
public:
  static constexpr std::string_view name = "range_ratio"; // names the state in to_bytes()
  static constexpr bool mergeable = true;

  void operator()(double x) {
    if (!(x > 0)) throw planeval::data_error("range_ratio: values must be > 0");
    lo_(x);
    hi_(x);
  }
  void missing() {
    lo_.missing();
    hi_.missing();
  }
  range_ratio& operator+=(const range_ratio& o) {
    lo_ += o.lo_; // planeval's min and max merge exactly
    hi_ += o.hi_;
    return *this;
  }
  std::optional<double> value() const {
    const auto lo = lo_.value(), hi = hi_.value();
    if (!lo || !hi) return std::nullopt;
    return *hi / *lo;
  }
  template <class Archive>
  void serialize(Archive& ar, unsigned /* version */) {
    ar(lo_, hi_);
  }
  friend bool operator==(const range_ratio&, const range_ratio&) = default;

private:
  planeval::rules::min lo_;
  planeval::rules::max hi_;
};

} // namespace

int main() {
  // five schools' 生均教学仪器设备值 (元); 优质均衡 asks for at least 2000 (小学)
  const std::vector<double> values{2400, 1800, 3000, 2100, 2250};
  range_ratio one_pass;
  for (double x : values) one_pass(x);
  // two partial states (as two threads, or two district offices, would compute them), merged
  range_ratio a, b;
  for (std::size_t i = 0; i < values.size(); ++i) (i < 2 ? a : b)(values[i]);
  range_ratio merged; // the empty state is the identity
  merged += b;
  merged += a;
  // a state shipped as bytes and read back
  const range_ratio shipped = planeval::from_bytes<range_ratio>(planeval::to_bytes(one_pass));

  // 3000 / 1800 = 1.6667
  std::cout << "range ratio (极差率): " << one_pass.value().value_or(0) << "\n";
  const bool ok = merged == one_pass && shipped == one_pass && one_pass.value() && *one_pass.value() > 1.6666 &&
                  *one_pass.value() < 1.6667;
  std::cout << (ok ? "merged and shipped states equal the one-pass state\n" : "MISMATCH\n");
  return ok ? 0 : 1;
}
