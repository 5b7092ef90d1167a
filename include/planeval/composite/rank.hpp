// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file composite/rank.hpp
/// The one ranking of planeval's composites and their uncertainty: the highest value is rank 1,
/// ties take the minimum rank (1, 2, 2, 4; R's rank(-x, ties.method = "min"), COINr's ranks), NaN
/// has no rank (0). rank_min_descending sorts order-preserving 64-bit keys with an LSD radix sort
/// (8 passes of 8 bits; a pass whose digit is the same for every key is skipped) into caller-owned
/// buffers, so ranking allocates nothing once the workspace is sized. -0 is ranked as +0.

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace planeval {

/// Buffers of rank_min_descending (sized to the number of values on first use).
struct rank_workspace {
  std::vector<std::uint64_t> keys, keys2;
  std::vector<std::uint32_t> items, items2;
};

/// ranks[i] = the rank of values[i] (stride `stride`): 1 = highest, ties the minimum rank, NaN 0.
/// ranks.size() values are ranked; values must hold (ranks.size() - 1)·stride + 1 of them.
inline void rank_min_descending(const double* values, std::size_t stride, std::span<std::uint32_t> ranks,
                                rank_workspace& w) {
  const std::size_t n = ranks.size();
  if (w.keys.size() < n) {
    w.keys.resize(n);
    w.keys2.resize(n);
    w.items.resize(n);
    w.items2.resize(n);
  }
  std::size_t count = 0;
  auto key = [&](std::size_t u, double v) {
    ranks[u] = 0;
    if (std::isnan(v)) return;
    const auto bits = std::bit_cast<std::uint64_t>(v + 0.0);
    const std::uint64_t ascending = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
    w.keys[count] = ~ascending;
    w.items[count] = static_cast<std::uint32_t>(u);
    ++count;
  };
  if (stride == 1)
    for (std::size_t u = 0; u < n; ++u) key(u, values[u]);
  else
    for (std::size_t u = 0; u < n; ++u) key(u, values[u * stride]);
  std::array<std::array<std::uint32_t, 256>, 8> hist{};
  for (std::size_t i = 0; i < count; ++i)
    for (unsigned d = 0; d < 8; ++d) ++hist[d][(w.keys[i] >> (8 * d)) & 0xFF];
  for (unsigned d = 0; d < 8 && count > 1; ++d) {
    auto& h = hist[d];
    if (h[(w.keys[0] >> (8 * d)) & 0xFF] == count) continue; // one digit for all keys
    std::uint32_t sum = 0;
    for (auto& c : h) {
      const std::uint32_t x = c;
      c = sum;
      sum += x;
    }
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t to = h[(w.keys[i] >> (8 * d)) & 0xFF]++;
      w.keys2[to] = w.keys[i];
      w.items2[to] = w.items[i];
    }
    w.keys.swap(w.keys2);
    w.items.swap(w.items2);
  }
  std::uint32_t r = 0;
  for (std::size_t t = 0; t < count; ++t) {
    if (t == 0 || w.keys[t] != w.keys[t - 1]) r = static_cast<std::uint32_t>(t + 1);
    ranks[w.items[t]] = r;
  }
}

} // namespace planeval
