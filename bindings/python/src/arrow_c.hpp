// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file arrow_c.hpp
/// The Arrow C data interface (ArrowSchema, ArrowArray) and C stream interface (ArrowArrayStream),
/// written from the Arrow specification ("The Arrow C data interface", "The Arrow C stream
/// interface", arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html): a
/// stable C ABI, so no Arrow library is needed to read what polars, pyarrow or DuckDB export.
///
/// Design notes: the struct definitions are guarded by the macros the specification prescribes, so
/// this header coexists with any other copy of them. The owners below release what they hold
/// exactly once (the specification's move semantics: a struct is moved by copying it and setting
/// the source's `release` to NULL).

#include <cstdint>
#include <utility>

extern "C" {

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  // Callbacks providing stream functionality
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);

  // Release callback
  void (*release)(struct ArrowArrayStream*);

  // Opaque producer-specific data
  void* private_data;
};

#endif // ARROW_C_STREAM_INTERFACE

} // extern "C"

namespace planeval::python::arrow {

/// Owns one released-on-destruction C struct (ArrowSchema, ArrowArray or ArrowArrayStream): move-only.
template <class Struct>
class owned {
public:
  owned() noexcept { raw_.release = nullptr; }
  /// Takes over `*s` (moves it: `s->release` is set to NULL, so its former owner will not release it).
  explicit owned(Struct* s) noexcept : raw_(*s) { s->release = nullptr; }
  owned(owned&& o) noexcept : raw_(o.raw_) { o.raw_.release = nullptr; }
  owned& operator=(owned&& o) noexcept {
    if (this != &o) {
      reset();
      raw_ = o.raw_;
      o.raw_.release = nullptr;
    }
    return *this;
  }
  owned(const owned&) = delete;
  owned& operator=(const owned&) = delete;
  ~owned() { reset(); }

  void reset() noexcept {
    if (raw_.release) raw_.release(&raw_); // the producer's callback sets release to NULL
    raw_.release = nullptr;
  }
  /// For a producer to fill (get_schema, get_next): must be empty.
  Struct* out() noexcept { return &raw_; }
  Struct* get() noexcept { return &raw_; }
  const Struct* get() const noexcept { return &raw_; }
  const Struct* operator->() const noexcept { return &raw_; }
  Struct* operator->() noexcept { return &raw_; }
  /// False after the end of a stream (get_next gives a released array).
  bool live() const noexcept { return raw_.release != nullptr; }

private:
  Struct raw_{};
};

using schema = owned<ArrowSchema>;
using array = owned<ArrowArray>;
using stream = owned<ArrowArrayStream>;

} // namespace planeval::python::arrow
