// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Sobol' low-discrepancy points (planeval/uncertainty.hpp: sobol_points): Bratley & Fox's
// construction (ACM TOMS 14, 1988, Algorithm 659) with Joe & Kuo's (2008) primitive polynomials
// and initial direction numbers (src/sobol_direction_numbers.hpp), 30 bits as SciPy's
// scipy.stats.qmc.Sobol(d, scramble=False), whose points these are, in the same (Gray code) order.

#include <planeval/uncertainty.hpp>

#include "sobol_direction_numbers.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace planeval {

namespace {

constexpr unsigned bits = 30;

/// v[d·bits + b]: direction number b of dimension d, as a 30-bit integer (m_b · 2^(bits - 1 - b)).
std::vector<std::uint32_t> direction_numbers(std::size_t dims) {
  std::vector<std::uint32_t> v(dims * bits);
  for (unsigned b = 0; b < bits; ++b) v[b] = 1; // dimension 0: m_b = 1 (van der Corput)
  for (std::size_t d = 1; d < dims; ++d) {
    std::uint32_t* m = v.data() + d * bits;
    const std::uint32_t p = sobol_table::poly[d];
    unsigned s = 0;
    while ((p >> (s + 1)) != 0) ++s; // degree
    for (unsigned j = 0; j < s; ++j) m[j] = sobol_table::m[d][j];
    // m_j = 2 a_1 m_(j-1) ^ 4 a_2 m_(j-2) ^ ... ^ 2^s m_(j-s) ^ m_(j-s), a_k bit s - k of p
    for (unsigned j = s; j < bits; ++j) {
      std::uint32_t x = m[j - s];
      for (unsigned k = 0; k < s; ++k)
        if ((p >> (s - 1 - k)) & 1u) x ^= m[j - k - 1] << (k + 1);
      m[j] = x;
    }
  }
  for (std::size_t d = 0; d < dims; ++d)
    for (unsigned b = 0; b < bits; ++b) v[d * bits + b] <<= (bits - 1 - b);
  return v;
}

} // namespace

void sobol_points(std::uint64_t first, std::size_t count, std::size_t dims, std::span<double> out) {
  if (dims == 0 || dims > sobol_max_dimension)
    throw error("sobol_points: dims: expected 1 to " + std::to_string(sobol_max_dimension) +
                " dimensions (Joe & Kuo's table as planeval carries it), got " + std::to_string(dims));
  if (out.size() != count * dims)
    throw error("sobol_points: out: expected count × dims = " + std::to_string(count * dims) + " values, got " +
                std::to_string(out.size()));
  if (count > 0 && first + count > (std::uint64_t{1} << bits))
    throw error("sobol_points: expected fewer than 2^30 points");
  const std::vector<std::uint32_t> v = direction_numbers(dims);
  constexpr double scale = 1.0 / static_cast<double>(std::uint64_t{1} << bits);
  std::vector<std::uint32_t> x(dims, 0);
  // point i = XOR of v_b over the bits b of its Gray code i ^ (i >> 1); then step by Gray code
  const std::uint64_t g = first ^ (first >> 1);
  for (unsigned b = 0; b < bits; ++b)
    if ((g >> b) & 1u)
      for (std::size_t d = 0; d < dims; ++d) x[d] ^= v[d * bits + b];
  for (std::size_t t = 0; t < count; ++t) {
    if (t > 0) {
      // from point i - 1 to i: flip v_c, c the lowest zero bit of i - 1
      const std::uint64_t prev = first + t - 1;
      unsigned c = 0;
      while ((prev >> c) & 1u) ++c;
      for (std::size_t d = 0; d < dims; ++d) x[d] ^= v[d * bits + c];
    }
    for (std::size_t d = 0; d < dims; ++d) out[t * dims + d] = static_cast<double>(x[d]) * scale;
  }
}

} // namespace planeval
