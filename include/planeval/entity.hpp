// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file entity.hpp
/// Entities (district, stages, schools ...) and the tree they form.
///
/// Design notes: roll-ups map every school to its ancestor at some level for millions of rows, so
/// the tree keeps, for every depth d, a dense column `ancestor[d][i]` (the ancestor of entity i at
/// depth d, or npos). Lookup is one array access. Entities are only ever appended (data may add
/// schools under a known parent), which keeps existing indices and columns valid.

#include <planeval/detail/enum_names.hpp>
#include <planeval/error.hpp>
#include <planeval/indicator.hpp>
#include <planeval/text.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace planeval {

/// What an entity is.
enum class entity_kind {
  nation,
  province,
  city,
  district,
  stage,
  group,
  school,
  kindergarten,
  teaching_point,
  county,    ///< 县 (a county-level unit that is not a district)
  prefecture ///< 州, 地区, 盟 (a prefecture-level unit that is not a city)
};
inline constexpr detail::name_table<entity_kind, 11> entity_kind_names{{
    {entity_kind::nation, "nation"},
    {entity_kind::province, "province"},
    {entity_kind::city, "city"},
    {entity_kind::prefecture, "prefecture"},
    {entity_kind::county, "county"},
    {entity_kind::district, "district"},
    {entity_kind::stage, "stage"},
    {entity_kind::group, "group"},
    {entity_kind::school, "school"},
    {entity_kind::kindergarten, "kindergarten"},
    {entity_kind::teaching_point, "teaching_point"},
}};
inline std::string_view to_string(entity_kind k) noexcept { return detail::name_of(entity_kind_names, k); }
/// The word for "the whole of" an area of this kind, as reports say it: 全国, 全省, 全市, 全州,
/// 全县, 全区 (English: nation-wide, province-wide ...); for other kinds the kind's own words
/// (学段, 学校 ...).
inline text scope_word(entity_kind k) {
  switch (k) {
  case entity_kind::nation: return {"全国", "nation-wide"};
  case entity_kind::province: return {"全省", "province-wide"};
  case entity_kind::city: return {"全市", "city-wide"};
  case entity_kind::prefecture: return {"全州", "prefecture-wide"};
  case entity_kind::county: return {"全县", "county-wide"};
  case entity_kind::district: return {"全区", "district-wide"};
  case entity_kind::stage: return {"学段", "stage"};
  case entity_kind::group: return {"组", "group"};
  case entity_kind::school: return {"学校", "school"};
  case entity_kind::kindergarten: return {"幼儿园", "kindergarten"};
  case entity_kind::teaching_point: return {"教学点", "teaching point"};
  }
  return {"?", "?"};
}

/// Public (公办) or private (民办).
enum class ownership { public_owned, private_owned };
inline constexpr detail::name_table<ownership, 2> ownership_names{{
    {ownership::public_owned, "公办"},
    {ownership::private_owned, "民办"},
}};
inline std::string_view to_string(ownership o) noexcept { return detail::name_of(ownership_names, o); }

/// A node of the entity tree.
struct entity {
  std::string id;
  text name;
  entity_kind kind = entity_kind::school;
  std::string parent; ///< id of the parent; empty for a root
  std::optional<planeval::stage> stage;
  std::optional<planeval::ownership> ownership;
  std::optional<double> students; ///< enrolment, used as weight by student-weighted rules
  friend bool operator==(const entity&, const entity&) = default;
};

/// The entity forest with O(1) ancestor lookup at any depth.
class entity_tree {
public:
  using index_type = std::uint32_t;
  static constexpr index_type npos = static_cast<index_type>(-1);

  /// Append an entity whose parent (if any) is already in the tree. Throws plan_error (path
  /// "entities") on an empty, malformed or duplicate id or an unknown parent.
  index_type add(entity e) {
    if (e.id.empty()) throw plan_error("id", "expected a non-empty id");
    if (index_.count(e.id)) throw plan_error("id", "duplicate entity id \"" + e.id + "\"");
    index_type parent = npos;
    if (!e.parent.empty()) {
      auto it = index_.find(e.parent);
      if (it == index_.end()) throw plan_error("parent", "unknown entity \"" + e.parent + "\"");
      parent = it->second;
    }
    const auto i = static_cast<index_type>(entities_.size());
    const std::size_t depth = parent == npos ? 0 : depth_[parent] + 1;
    while (ancestor_.size() <= depth) ancestor_.emplace_back(entities_.size(), npos);
    for (std::size_t d = 0; d < ancestor_.size(); ++d)
      ancestor_[d].push_back(d < depth ? ancestor_[d][parent] : (d == depth ? i : npos));
    index_.emplace(e.id, i);
    entities_.push_back(std::move(e));
    parent_.push_back(parent);
    depth_.push_back(static_cast<std::uint16_t>(depth));
    children_.emplace_back();
    if (parent != npos) children_[parent].push_back(i);
    return i;
  }

  std::size_t size() const noexcept { return entities_.size(); }
  bool empty() const noexcept { return entities_.empty(); }
  const entity& operator[](index_type i) const { return entities_[i]; }
  const std::vector<entity>& entities() const noexcept { return entities_; }
  auto begin() const noexcept { return entities_.begin(); }
  auto end() const noexcept { return entities_.end(); }

  /// Index of the entity with this id, if any.
  std::optional<index_type> find(std::string_view id) const {
    auto it = index_.find(std::string(id));
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  index_type parent(index_type i) const { return parent_[i]; }
  std::size_t depth(index_type i) const { return depth_[i]; }
  /// Number of levels (1 + greatest depth); 0 when empty.
  std::size_t levels() const noexcept { return ancestor_.size(); }
  const std::vector<index_type>& children(index_type i) const { return children_[i]; }

  /// Ancestor of `i` at depth `d` (i itself when d == depth(i)); npos if `i` is shallower.
  index_type ancestor_at_depth(index_type i, std::size_t d) const {
    return d < ancestor_.size() ? ancestor_[d][i] : npos;
  }
  /// The whole column for depth `d`: column[i] is the ancestor of i at that depth (or npos).
  const std::vector<index_type>& ancestors_at_depth(std::size_t d) const { return ancestor_.at(d); }
  /// True if `a` is `i` or one of its ancestors.
  bool is_ancestor_or_self(index_type a, index_type i) const { return ancestor_at_depth(i, depth_[a]) == a; }
  /// The nearest ancestor-or-self of `i` with the given kind, if any.
  std::optional<index_type> ancestor_of_kind(index_type i, entity_kind k) const {
    for (index_type j = i; j != npos; j = parent_[j])
      if (entities_[j].kind == k) return j;
    return std::nullopt;
  }

  friend bool operator==(const entity_tree& a, const entity_tree& b) { return a.entities_ == b.entities_; }

private:
  std::vector<entity> entities_;
  std::vector<index_type> parent_;
  std::vector<std::uint16_t> depth_;
  std::vector<std::vector<index_type>> children_;
  std::vector<std::vector<index_type>> ancestor_; // [depth][entity]
  std::unordered_map<std::string, index_type> index_;
};

} // namespace planeval
