// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules/missing_policy.hpp
/// Forwarding header: the missing-value policy lives in planeval/missing_policy.hpp (a lower layer
/// than the rules, so the model can use it without including the rules). rules::missing_policy,
/// rules::parse_missing_policy and rules::missing_policy_names remain valid spellings.

#include <planeval/missing_policy.hpp>
