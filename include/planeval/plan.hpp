// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file plan.hpp
/// The plan: horizon, phases, indicators, entities, targets, recorded observations, conflicts.
///
/// Design notes: a plan is built by appending items (add_indicator, add_target, ...). Each add
/// validates the item against what is already there (references, dates, comparators, ranges) and
/// throws plan_error with every problem it found, located by JSON path ("targets[3].goal.value"),
/// so a plan object is valid by construction and the JSON loader and programmatic users share
/// one set of rules. Items are referred to by string ids at the edges and by dense indices inside.

#include <planeval/calendar.hpp>
#include <planeval/entity.hpp>
#include <planeval/error.hpp>
#include <planeval/indicator.hpp>
#include <planeval/phase.hpp>
#include <planeval/target.hpp>
#include <planeval/text.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace planeval {

/// True for a valid item id: valid UTF-8 of letters and digits of any script (a school keyed by
/// its Chinese name, 第一中学, is an id), '_', '.', '-', starting with a letter or digit (or any
/// non-ASCII character), at most 128 bytes; no spaces or invisible characters (U+3000, NBSP,
/// zero-width ...), no other ASCII punctuation, and no combining marks (write the composed form,
/// NFC, so that two spellings of one id cannot differ).
bool is_valid_id(std::string_view id) noexcept;

/// What is_valid_id accepts, in words (for messages).
inline constexpr std::string_view id_rule =
    "letters or digits of any script, '_', '.', '-'; starting with a letter or digit; no spaces; at most 128 bytes";

/// What observations keep of the plan they were checked against: the plan's id and a fingerprint
/// of its indicator and entity ids, in order, up to the sizes they knew. Their indices mean
/// something only for that plan, or one that extends it (entities and indicators are only ever
/// appended); plan::extends() says whether a plan does.
struct plan_key {
  std::string id;
  std::uint32_t indicators = 0, entities = 0;
  std::uint64_t indicator_hash = 0, entity_hash = 0;
  friend bool operator==(const plan_key&, const plan_key&) = default;
};

/// An official standard the plan brings itself (a provincial 省定办学标准): embedded in the plan
/// file or read from a file named relative to it. The plan keeps the standard's JSON text (the
/// standard format, planeval/standard.hpp); evaluate() parses it.
struct plan_standard {
  std::string id;   ///< the standard's id (targets' `standard` name it)
  std::string file; ///< the path as the plan file writes it; empty: embedded
  std::string json; ///< the standard's JSON text
  friend bool operator==(const plan_standard&, const plan_standard&) = default;
};

/// A development plan.
class plan {
public:
  using index_type = std::uint32_t;

  /// A plan with an id, a title and a horizon (inclusive). Throws plan_error if the id is
  /// invalid, the title has no Chinese text or the horizon ends before it starts.
  plan(std::string id, text title, period horizon);

  const std::string& id() const noexcept { return id_; }
  const text& title() const noexcept { return title_; }
  const period& horizon() const noexcept { return horizon_; }
  const std::optional<document_ref>& source() const noexcept { return source_; }
  /// Throws plan_error (path "source.<field>") for text that is not UTF-8.
  void set_source(std::optional<document_ref> s);

  /// Append items. `path` locates the item in error messages; by default it is where the item
  /// will appear in to_json output ("targets[12]"). Each throws plan_error listing every problem.
  index_type add_phase(phase p, std::string path = {});
  /// A domain of the plan's vocabulary; add domains before the indicators that name them.
  index_type add_domain(domain d, std::string path = {});
  /// A standard of the plan's own; add it before the targets that reference it. The JSON text is
  /// parsed and checked (errors located under `path`); `s.id` may be empty (then the standard's).
  index_type add_standard(plan_standard s, std::string path = {});
  /// A derived indicator (with a formula) may only reference indicators and constants already in
  /// the plan, so a plan never holds a cycle; the JSON loader adds indicators in dependency order.
  index_type add_indicator(indicator i, std::string path = {});
  /// A constant for formulas (C{id}); add constants before the indicators that use them.
  index_type add_constant(constant c, std::string path = {});
  entity_tree::index_type add_entity(entity e, std::string path = {});
  index_type add_target(target t, std::string path = {});
  index_type add_observation(recorded_observation o, std::string path = {});
  index_type add_conflict(conflict c, std::string path = {});
  index_type add_note(note n, std::string path = {});

  const std::vector<phase>& phases() const noexcept { return phases_; }
  const std::vector<domain>& domains() const noexcept { return domains_; }
  const std::vector<plan_standard>& standards() const noexcept { return standards_; }
  const std::vector<indicator>& indicators() const noexcept { return indicators_; }
  const std::vector<constant>& constants() const noexcept { return constants_; }
  const entity_tree& entities() const noexcept { return entities_; }
  const std::vector<target>& targets() const noexcept { return targets_; }
  const std::vector<recorded_observation>& observations() const noexcept { return observations_; }
  const std::vector<conflict>& conflicts() const noexcept { return conflicts_; }
  const std::vector<note>& notes() const noexcept { return notes_; }

  std::optional<index_type> find_phase(std::string_view id) const { return find(phase_index_, id); }
  std::optional<index_type> find_domain(std::string_view id) const { return find(domain_index_, id); }
  /// The plan's own standard with this id, if any.
  const plan_standard* find_standard(std::string_view id) const noexcept;
  /// A domain's name as the plan declares it; {id, id} for an undeclared one, {"其他", "other"} for "".
  text domain_name(std::string_view id) const;
  std::optional<index_type> find_indicator(std::string_view id) const { return find(indicator_index_, id); }
  std::optional<index_type> find_constant(std::string_view id) const { return find(constant_index_, id); }
  std::optional<index_type> find_target(std::string_view id) const { return find(target_index_, id); }
  std::optional<entity_tree::index_type> find_entity(std::string_view id) const { return entities_.find(id); }


  /// Throwing look-ups by id (plan_error naming the id).
  const indicator& indicator_by_id(std::string_view id) const;
  const target& target_by_id(std::string_view id) const;
  const phase& phase_by_id(std::string_view id) const;
  const entity& entity_by_id(std::string_view id) const;

  /// The phase containing `d`, if any.
  const phase* phase_at(date d) const noexcept;
  /// Index of the phase containing `d`, if any.
  std::optional<index_type> phase_index_at(date d) const noexcept;

  /// The plan's key as of now (what observations checked against it keep).
  plan_key key() const;
  /// True if this plan has `k`'s id and begins with the indicators and entities `k` was made from.
  bool extends(const plan_key& k) const noexcept;

  /// Suspicious but valid things: deadlines only assumed from the horizon, goals already met at
  /// the baseline, conflicting targets for the same indicator and scope, deadlines past the horizon.
  std::vector<diagnostic> warnings() const;

  friend bool operator==(const plan&, const plan&) = default;

private:
  using id_map = std::unordered_map<std::string, index_type>;
  static std::optional<index_type> find(const id_map& m, std::string_view id) {
    auto it = m.find(std::string(id));
    if (it == m.end()) return std::nullopt;
    return it->second;
  }
  /// A valid id not yet used by a target, observation, note or conflict.
  void check_item_id(std::vector<diagnostic>& errs, const std::string& path, const std::string& id) const;
  void check_formula(std::vector<diagnostic>& errs, const std::string& path, const indicator& ind) const;
  void check_value(std::vector<diagnostic>& errs, const std::string& path, const indicator& ind, const value& v,
                   bool allow_missing) const;

  std::string id_;
  text title_;
  period horizon_;
  std::optional<document_ref> source_;
  std::vector<phase> phases_;
  std::vector<domain> domains_;
  std::vector<plan_standard> standards_;
  std::vector<indicator> indicators_;
  std::vector<constant> constants_;
  entity_tree entities_;
  std::vector<target> targets_;
  std::vector<recorded_observation> observations_;
  std::vector<conflict> conflicts_;
  std::vector<note> notes_;
  id_map phase_index_, indicator_index_, target_index_, constant_index_, domain_index_;
  /// Fingerprints of the indicator and entity ids: [i] covers items 0..i (see plan_key).
  std::vector<std::uint64_t> indicator_hashes_, entity_hashes_;
  /// Targets, observations, notes and conflicts share one id space (conflicts refer to them).
  std::unordered_map<std::string, std::string> item_kind_;
};

/// The names (Chinese and English) of a plan's indicators or entities, hashed once: what the
/// readers consult for an id they do not know (a file naming indicators or schools in words), so
/// that 20,000 new schools cost 20,000 look-ups, not 20,000 scans. Items added to the plan later
/// are not in it.
class name_index {
public:
  enum class items { indicators, entities };
  name_index(const plan& p, items what);
  /// The one item with this name; when several have it, nothing, and their ids in `ambiguous`.
  std::optional<std::uint32_t> find(std::string_view name, std::vector<std::string>* ambiguous = nullptr) const;

private:
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_name_;
  std::vector<std::string> ids_;
};

/// A reader's look-ups of indicators or entities: by id (the plan's hash), else by name through a
/// name_index built at the first id the plan does not know (a file of ids costs nothing more).
/// Entities added to the plan after that index was built are found by their ids.
class id_or_name {
public:
  id_or_name(const plan& p, name_index::items what) : p_(p), what_(what) {}
  std::optional<std::uint32_t> find(std::string_view key, std::vector<std::string>* ambiguous = nullptr);

private:
  const plan& p_;
  name_index::items what_;
  std::optional<name_index> names_;
};

} // namespace planeval
