#define min(a, b) planeval_hostile_min_macro
#define max(a, b) planeval_hostile_max_macro
#include <planeval.hpp>
#undef min
#undef max

int odr_other_tu() { return static_cast<int>(planeval::stage_names.size()); }
