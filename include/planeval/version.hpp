// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file version.hpp
/// The library version (one source: CMakeLists.txt project(VERSION) is checked against it).

#define PLANEVAL_VERSION_MAJOR 0
#define PLANEVAL_VERSION_MINOR 1
#define PLANEVAL_VERSION_PATCH 0
#define PLANEVAL_VERSION_STRING "0.1.0"

namespace planeval {
/// "0.1.0"
inline constexpr const char* version = PLANEVAL_VERSION_STRING;
} // namespace planeval
