#include <planeval/entity.hpp>

#include <doctest/doctest.h>

using namespace planeval;

namespace {
entity make(std::string id, std::string parent, entity_kind k) {
  entity e;
  e.id = std::move(id);
  e.name.zh = e.id;
  e.parent = std::move(parent);
  e.kind = k;
  return e;
}
} // namespace

TEST_CASE("ancestor lookup at every depth") {
  entity_tree t;
  const auto city = t.add(make("city", "", entity_kind::city));
  const auto d = t.add(make("d", "city", entity_kind::district));
  const auto primary = t.add(make("primary", "d", entity_kind::stage));
  const auto s1 = t.add(make("s1", "primary", entity_kind::school));
  const auto junior = t.add(make("junior", "d", entity_kind::stage));
  CHECK(t.levels() == 4);
  CHECK(t.depth(s1) == 3);
  CHECK(t.ancestor_at_depth(s1, 0) == city);
  CHECK(t.ancestor_at_depth(s1, 1) == d);
  CHECK(t.ancestor_at_depth(s1, 2) == primary);
  CHECK(t.ancestor_at_depth(s1, 3) == s1);
  CHECK(t.ancestor_at_depth(junior, 3) == entity_tree::npos); // shallower than depth 3
  CHECK(t.ancestor_at_depth(junior, 7) == entity_tree::npos);
  CHECK(t.is_ancestor_or_self(d, s1));
  CHECK_FALSE(t.is_ancestor_or_self(junior, s1));
  CHECK(t.ancestor_of_kind(s1, entity_kind::district) == d);
  CHECK(!t.ancestor_of_kind(city, entity_kind::school));
  CHECK(t.children(d) == std::vector<entity_tree::index_type>{primary, junior});

  // a school added later, deeper than before: earlier columns stay valid
  const auto s2 = t.add(make("s2", "junior", entity_kind::school));
  const auto room = t.add(make("room", "s2", entity_kind::teaching_point));
  CHECK(t.levels() == 5);
  CHECK(t.ancestor_at_depth(room, 2) == junior);
  CHECK(t.ancestor_at_depth(s1, 4) == entity_tree::npos);
  CHECK(t.ancestors_at_depth(2)[s2] == junior);
  CHECK(t.find("s2") == s2);
  CHECK(!t.find("nope"));
}

TEST_CASE("bad entities are rejected") {
  entity_tree t;
  t.add(make("d", "", entity_kind::district));
  CHECK_THROWS_WITH_AS(t.add(make("d", "", entity_kind::district)), "id: duplicate entity id \"d\"", plan_error);
  CHECK_THROWS_WITH_AS(t.add(make("x", "ghost", entity_kind::school)), "parent: unknown entity \"ghost\"", plan_error);
  CHECK_THROWS_AS(t.add(make("", "", entity_kind::school)), plan_error);
  CHECK(t.size() == 1);
}
