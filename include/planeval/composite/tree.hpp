// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file composite/tree.hpp
/// The one hierarchy type of the composite and of its uncertainty engine: the aggregation methods,
/// the zero policy, composite_tree (the validated hierarchy as index vectors; built from ids by
/// make_composite_tree in composite.hpp) and aggregation_plan, its children lists in the form the
/// per-unit kernel of composite/mean.hpp reads.
///
/// Levels (for the weight noise per level of the uncertainty engine) are COINr's: the indicators
/// are level 1, a node is one more than the highest level among its children (a node over
/// indicators only is level 2; the root of a balanced 4-level ASEM tree is level 4).

#include <planeval/detail/enum_names.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace planeval {

/// Aggregation of a node's children.
enum class aggregation : std::uint8_t { arithmetic, geometric, harmonic, generalised };
/// Names: "arithmetic", "geometric", "harmonic", "generalised".
inline constexpr detail::name_table<aggregation, 4> aggregation_names{{
    {aggregation::arithmetic, "arithmetic"},
    {aggregation::geometric, "geometric"},
    {aggregation::harmonic, "harmonic"},
    {aggregation::generalised, "generalised"},
}};
/// The method's name.
inline std::string_view to_string(aggregation a) noexcept { return detail::name_of(aggregation_names, a); }

/// What a mean that needs positive values (geometric, harmonic, generalised with p < 0) does with
/// a child whose value is 0. Negative values are refused under every policy by every mean but the
/// arithmetic one.
enum class zero_policy : std::uint8_t {
  error, ///< a data_error naming the node, the unit and the child (the default)
  limit  ///< the mean's limit as the value goes to 0: 0 (the node's value is 0)
};
/// Names: "error", "limit".
inline constexpr detail::name_table<zero_policy, 2> zero_policy_names{
    {{zero_policy::error, "error"}, {zero_policy::limit, "limit"}}};
/// The policy's name.
inline std::string_view to_string(zero_policy z) noexcept { return detail::name_of(zero_policy_names, z); }

/// The hierarchy compiled to indices (validated by make_composite_tree): what build_composite and
/// the uncertainty engine both aggregate with.
struct composite_tree {
  std::vector<std::string> node_ids;           ///< as in the spec
  std::vector<std::int32_t> node_parent;       ///< parent node index; -1 for the root
  std::vector<double> node_weight;             ///< weight among the parent's children
  std::vector<aggregation> node_method;        ///< per node
  std::vector<double> node_power;              ///< per node: p (arithmetic 1, geometric 0, harmonic -1)
  std::vector<double> node_min_share;          ///< per node
  std::vector<std::uint32_t> indicator_parent; ///< node index of each indicator (column)
  std::vector<double> indicator_weight;        ///< weight of each indicator among its siblings
  std::vector<std::uint32_t> bottom_up;        ///< node indices, every child node before its parent
  std::vector<std::uint32_t> children_count;   ///< per node: indicators + nodes below it directly
  std::uint32_t root = 0;                      ///< the root node's index
  zero_policy zeros = zero_policy::error;      ///< a zero under a mean that needs positive values
};

/// The children lists of a composite_tree (CSR, children in index order, indicators first), the
/// evaluation order and the levels: built once, read by aggregate_units for every unit.
struct aggregation_plan {
  std::size_t indicators = 0, nodes = 0, root = 0;
  std::size_t levels = 0;                           ///< COINr levels: indicators 1, the root `levels`
  std::vector<std::uint32_t> order;                 ///< nodes, children before parents (tree.bottom_up)
  std::vector<std::uint32_t> depth;                 ///< per node: 0 for the root
  std::vector<std::uint32_t> level;                 ///< per node: COINr's level (2 ... levels)
  std::vector<std::int32_t> parent;                 ///< per node: -1 for the root
  std::vector<std::uint32_t> ind_begin, ind_child;  ///< indicators of node c: ind_child[ind_begin[c] ...]
  std::vector<std::uint32_t> node_begin, node_child; ///< child nodes of node c: node_child[node_begin[c] ...]
  std::vector<std::uint32_t> children;              ///< per node: the number of children
  std::vector<double> min_share;                    ///< per node
  bool any_min_share = false;                       ///< a node has min_share > 0
};

/// The plan of a validated tree.
inline aggregation_plan make_aggregation_plan(const composite_tree& t) {
  aggregation_plan p;
  p.indicators = t.indicator_parent.size();
  p.nodes = t.node_ids.size();
  p.root = t.root;
  p.order = t.bottom_up;
  p.parent = t.node_parent;
  p.children = t.children_count;
  p.min_share = t.node_min_share;
  for (const double s : p.min_share) p.any_min_share = p.any_min_share || s > 0;
  p.ind_begin.assign(p.nodes + 1, 0);
  p.node_begin.assign(p.nodes + 1, 0);
  for (const std::uint32_t c : t.indicator_parent) ++p.ind_begin[c + 1];
  for (std::size_t c = 0; c < p.nodes; ++c)
    if (t.node_parent[c] >= 0) ++p.node_begin[static_cast<std::size_t>(t.node_parent[c]) + 1];
  for (std::size_t c = 0; c < p.nodes; ++c) {
    p.ind_begin[c + 1] += p.ind_begin[c];
    p.node_begin[c + 1] += p.node_begin[c];
  }
  p.ind_child.resize(p.indicators);
  p.node_child.resize(p.node_begin[p.nodes]);
  std::vector<std::uint32_t> fill(p.ind_begin.begin(), p.ind_begin.end() - 1);
  for (std::size_t j = 0; j < p.indicators; ++j) p.ind_child[fill[t.indicator_parent[j]]++] = static_cast<std::uint32_t>(j);
  fill.assign(p.node_begin.begin(), p.node_begin.end() - 1);
  for (std::size_t c = 0; c < p.nodes; ++c)
    if (t.node_parent[c] >= 0)
      p.node_child[fill[static_cast<std::size_t>(t.node_parent[c])]++] = static_cast<std::uint32_t>(c);
  // depth top-down (parents come after their children in bottom_up), level bottom-up
  p.depth.assign(p.nodes, 0);
  for (std::size_t k = p.nodes; k-- > 0;) {
    const std::uint32_t c = p.order[k];
    if (p.parent[c] >= 0) p.depth[c] = p.depth[static_cast<std::size_t>(p.parent[c])] + 1;
  }
  p.level.assign(p.nodes, 0);
  for (const std::uint32_t c : p.order) {
    std::uint32_t l = p.ind_begin[c + 1] > p.ind_begin[c] ? 2u : 0u;
    for (std::uint32_t k = p.node_begin[c]; k < p.node_begin[c + 1]; ++k)
      l = (std::max)(l, p.level[p.node_child[k]] + 1);
    p.level[c] = l;
  }
  p.levels = p.nodes ? p.level[p.root] : 1;
  return p;
}

/// A value a mean cannot take (the kernel stops at the first): node, unit-independent child, value.
struct aggregation_fault {
  std::uint32_t node = 0;  ///< the node whose mean failed
  std::uint32_t child = 0; ///< the child's index (an indicator column or a node)
  bool indicator = false;  ///< whether the child is an indicator
  double value = 0;        ///< the child's value (0, or negative)
};

/// The data_error text of a fault for `unit`: "nodes[3] ("dim"): the geometric mean needs values
/// > 0, unit 5 has 0 from indicator 2 (...)" (defined in composite.cpp).
std::string aggregation_fault_message(const composite_tree& tree, std::size_t unit, const aggregation_fault& fault,
                                      aggregation method, double power);

} // namespace planeval
