// libstdc++'s <bits/c++config.h> #undefs min and max, so pull in the standard and Boost headers
// planeval uses first; the macros then stand when planeval's own code is parsed.
#include <algorithm>
#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/json/fwd.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#define min(a, b) planeval_hostile_min_macro
#define max(a, b) planeval_hostile_max_macro
#include <planeval.hpp>
#include <planeval/json.hpp> // opt-in, not in the umbrella header
#undef min
#undef max

int odr_other_tu() { return static_cast<int>(planeval::stage_names.size()); }
