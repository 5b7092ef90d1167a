// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file text.hpp
/// Bilingual text and source references. Chinese is first-class: `zh` is required and kept
/// verbatim (UTF-8); `en` stands beside it.

#include <optional>
#include <string>

namespace planeval {

/// Chinese text with an optional English rendering.
struct text {
  std::string zh;
  std::string en;

  /// The text in `lang` ("zh" or "en"), falling back to Chinese when no English is given.
  const std::string& in(std::string_view lang) const { return (lang == "en" && !en.empty()) ? en : zh; }
  friend bool operator==(const text&, const text&) = default;
};

/// Where an item comes from in the source document.
struct source_ref {
  std::string phrase;  ///< verbatim phrase of the source
  std::string section; ///< e.g. "第三章 主要任务 / 六、推进学前教育普及普惠"
  friend bool operator==(const source_ref&, const source_ref&) = default;
};

/// A source document (the plan text itself).
struct document_ref {
  std::string title;
  std::string file;
  std::string issuer;
  std::string url;
  friend bool operator==(const document_ref&, const document_ref&) = default;
};

} // namespace planeval
