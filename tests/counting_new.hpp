// The global operator new and delete of a test program of its own (include it in exactly one
// translation unit): allocations and frees are counted, and the allocation that brings
// alloc_countdown from 1 to 0 throws std::bad_alloc.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace counting_new {
inline std::atomic<unsigned long> alloc_calls{0};
inline std::atomic<unsigned long> free_calls{0};
inline std::atomic<unsigned long> alloc_countdown{0};

inline void* allocate(std::size_t n) {
  alloc_calls.fetch_add(1, std::memory_order_relaxed);
  const unsigned long c = alloc_countdown.load(std::memory_order_relaxed);
  if (c != 0) {
    alloc_countdown.store(c - 1, std::memory_order_relaxed);
    if (c == 1) throw std::bad_alloc();
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
inline void release(void* p) noexcept {
  if (!p) return;
  free_calls.fetch_add(1, std::memory_order_relaxed);
  std::free(p);
}
// Blocks allocated and not yet freed.
inline long live_blocks() noexcept { return static_cast<long>(alloc_calls.load() - free_calls.load()); }
}  // namespace counting_new

void* operator new(std::size_t n) { return counting_new::allocate(n); }
void* operator new[](std::size_t n) { return counting_new::allocate(n); }
void operator delete(void* p) noexcept { counting_new::release(p); }
void operator delete[](void* p) noexcept { counting_new::release(p); }
void operator delete(void* p, std::size_t) noexcept { counting_new::release(p); }
void operator delete[](void* p, std::size_t) noexcept { counting_new::release(p); }
