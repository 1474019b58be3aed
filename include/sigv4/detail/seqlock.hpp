// sigv4 — a sequence lock over relaxed atomic words, for the few words that threads share
// without a mutex (detail::key_cache's records, detail::sha256_block_slot). A reader takes
// the sequence number, reads the words relaxed, and keeps what it read only if the number is
// still the same and even; a writer makes the number odd, writes, and makes it even again.
// Every word a reader can see is an atomic, so a torn read is a discarded read, never a
// data race.
#ifndef SIGV4_DETAIL_SEQLOCK_HPP
#define SIGV4_DETAIL_SEQLOCK_HPP

#include <atomic>
#include <cstdint>

namespace sigv4::detail {

class seqlock {
 public:
  // Begins a read: false while a writer is at work (nothing to read then), else the sequence
  // number to give read_valid in `before`.
  bool read_begin(std::uint64_t& before) const noexcept {
    before = seq_.load(std::memory_order_acquire);
    return (before & 1) == 0;
  }

  // Whether the words read since read_begin gave `before` are one writer's whole work.
  bool read_valid(std::uint64_t before) const noexcept {
    std::atomic_thread_fence(std::memory_order_acquire);
    return seq_.load(std::memory_order_relaxed) == before;
  }

  // Begins a write unless another writer is at work (then false, and nothing to end).
  bool try_write_begin(std::uint64_t& seq) noexcept {
    seq = seq_.load(std::memory_order_relaxed);
    if ((seq & 1) != 0 || !seq_.compare_exchange_strong(seq, seq + 1, std::memory_order_relaxed)) return false;
    std::atomic_thread_fence(std::memory_order_release);
    return true;
  }

  // Begins a write, waiting for another writer to end.
  std::uint64_t write_begin() noexcept {
    std::uint64_t seq = seq_.load(std::memory_order_relaxed);
    while ((seq & 1) != 0 || !seq_.compare_exchange_weak(seq, seq + 1, std::memory_order_relaxed))
      seq = seq_.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    return seq;
  }

  // Ends the write that write_begin or try_write_begin began at `seq`; returns the new
  // sequence number (what a reader of the new words gets from read_begin).
  std::uint64_t write_end(std::uint64_t seq) noexcept {
    seq_.store(seq + 2, std::memory_order_release);
    return seq + 2;
  }

 private:
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace sigv4::detail

#endif
