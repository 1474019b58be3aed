// sigv4 — the signing-key cache of the verifier and of sigv4::signer: a fixed number of
// records shared between threads, read without a lock, recycled in place, wiped when the
// cache dies.
//
// Each record is a sequence lock (detail::seqlock) over relaxed atomic words:
// the identity it answers for (access key id, scope text, secret: each at most max_text bytes),
// the signing key's two HMAC states as eight words each (so a hit costs no hashing), and the
// state after a string to sign's first block (first_block_memo). A reader compares the
// identity in place and copies the states out, and keeps them only if no writer intervened;
// writers (on a miss) are serialised by a mutex. Records are grouped in sets of
// `ways` by a hash of (id, scope); a full set gives up a record that no hit has touched since
// the marks were last cleared (not recently used), so a key in use survives a stream of
// one-off keys. Memory is fixed at construction: no request, however many access keys it
// names, grows it.
#ifndef SIGV4_DETAIL_KEY_CACHE_HPP
#define SIGV4_DETAIL_KEY_CACHE_HPP

#include "config.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "../canonical.hpp"
#include "../signer.hpp"
#include "openssl.hpp"
#include "seqlock.hpp"
#include "sha256_blocks.hpp"

namespace sigv4::detail {
SIGV4_BACKEND_NS_BEGIN

class key_cache {
 public:
  static constexpr std::size_t sets = 32;
  static constexpr std::size_t ways = 4;
  /// Identities with a part longer than this are not cached (their keys are derived each time).
  static constexpr std::size_t max_text = 64;

  key_cache() : records_(new record[sets * ways]) {}
  key_cache(const key_cache&) = delete;
  key_cache& operator=(const key_cache&) = delete;
  ~key_cache() {
    for (std::size_t i = 0; i < sets * ways; ++i) records_[i].wipe();
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }

  static bool cacheable(std::string_view id, std::string_view scope, std::string_view secret) noexcept {
    return id.size() <= max_text && scope.size() <= max_text && secret.size() <= max_text;
  }

  // Where the HMAC state after a string to sign's first block is kept for a cached key: the
  // slot of the key's record and the record's generation (its sequence number when the key
  // was read), which with the X-Amz-Date's second (numbered in any way that tells the seconds
  // of the scope's day apart) names that block exactly (the record fixes the key and the
  // scope). No slot when the key is not cached, or when the first block of its strings to
  // sign does not end inside the scope (string_to_sign_first_block_is_fixed).
  struct first_block_memo {
    sha256_block_slot* slot = nullptr;
    std::uint64_t generation = 0;

    // HMAC(key, string to sign) into mac[0..32): through the slot, under `second`, when there
    // is one; else plainly.
    void sign(const hmac_block_key& key, std::uint64_t second, const void* string_to_sign, std::size_t n,
              unsigned char* mac) const noexcept {
      if (slot != nullptr)
        hmac_sign_first_block_kept(key, *slot, generation, second, string_to_sign, n, mac);
      else
        key.sign(string_to_sign, n, mac);
    }
  };

  // The HMAC states (eight words each) of the signing key of (id, scope, secret), from the
  // cache or from `derive` (a signing_key, then offered to the cache), into `out`: what the
  // block-level hashing (sha256_blocks.hpp) signs with; and the record's first-block memo.
  // A hit copies 64 bytes of states.
  template <class Derive>
  void get_block_key(std::string_view id, std::string_view scope, std::string_view secret,
                     std::optional<hmac_block_key>& out, first_block_memo& memo, Derive&& derive) const {
    memo = first_block_memo{};
    if (cacheable(id, scope, secret)) {
      const std::uint64_t tag = tag_of(id, scope);
      const std::size_t set = static_cast<std::size_t>(tag % sets) * ways;
      const bool keep = string_to_sign_first_block_is_fixed(16, scope.size());  // X-Amz-Date: 16 characters
      for (std::size_t w = 0; w < ways; ++w)
        if (records_[set + w].load_block_key(tag, id, scope, secret, out, memo)) {
          if (!keep) memo = first_block_memo{};
          return;
        }
      const signing_key k = derive();
      out.emplace(k.bytes().data(), k.bytes().size());
      std::lock_guard<std::mutex> lock(writer_);
      record& r = records_[set + victim(set)];
      const std::uint64_t generation = r.store(tag, id, scope, secret, k);
      if (keep) memo = first_block_memo{&r.first_block, generation};
      return;
    }
    const signing_key k = derive();
    out.emplace(k.bytes().data(), k.bytes().size());
  }

 private:
  static constexpr std::size_t text_words = max_text / 8;
  // tag 0 marks an empty record (tag_of never gives 0)
  // (A multiply-and-shift per eight bytes: std::hash's byte-wise mixing cost ~230 instructions
  // for an id and a scope. The tag only picks a set and rules records out; a hit compares the
  // text itself.)
  static std::uint64_t tag_of(std::string_view id, std::string_view scope) noexcept {
    std::uint64_t h = 0x243F6A8885A308D3ull ^ id.size() ^ scope.size() << 8;
    const auto mix = [&h](std::uint64_t word) {
      h = (h ^ word) * 0x9E3779B97F4A7C15ull;
      h ^= h >> 29;
    };
    for (std::string_view s : {id, scope}) {
      std::size_t i = 0;
      for (; s.size() - i >= 8; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, s.data() + i, 8);
        mix(word);
      }
      std::uint64_t last = 0;  // the bytes after the last whole word, one by one (a copy of a
      for (std::size_t k = 0; i + k < s.size(); ++k)  // variable size is a call)
        last |= std::uint64_t{static_cast<unsigned char>(s[i + k])} << (8 * k);
      mix(last);
    }
    return h == 0 ? 1 : h;
  }

  struct record {
    seqlock lock;
    std::atomic<std::uint64_t> tag{0};
    std::atomic<std::uint64_t> sizes{0};  // id | scope << 8 | secret << 16
    mutable std::atomic<bool> used{false};  // a hit since the marks were last cleared
    std::array<std::atomic<std::uint64_t>, 3 * text_words> text{};  // id, scope, secret
    shared_sha256_state inner_state, outer_state;  // the key's HMAC states
    // the state after a string to sign's first block under this key (its own cache line: it
    // is written on every new X-Amz-Date second, the rest only when the record is replaced)
    alignas(64) mutable sha256_block_slot first_block;

    static std::uint64_t sizes_of(std::string_view id, std::string_view scope, std::string_view secret) noexcept {
      return id.size() | scope.size() << 8 | secret.size() << 16;
    }
    template <std::size_t N>
    static void write(std::array<std::atomic<std::uint64_t>, N>& to, std::size_t first, std::size_t words,
                      const unsigned char* from) noexcept {
      for (std::size_t i = 0; i < words; ++i) {
        std::uint64_t v;
        std::memcpy(&v, from + 8 * i, 8);
        to[first + i].store(v, std::memory_order_relaxed);
      }
    }
    static void write_text(std::array<std::atomic<std::uint64_t>, 3 * text_words>& to, std::size_t part,
                           std::string_view s) noexcept {
      unsigned char buf[max_text] = {};
      if (!s.empty()) std::memcpy(buf, s.data(), s.size());
      write(to, part * text_words, text_words, buf);
      cleanse(buf, sizeof buf);
    }

    // Whether this record holds (tag, id, scope, secret): the id and the scope (public) compared
    // word by word in place, the secret in constant time (every word is read and combined,
    // whatever the earlier ones gave); then the block states are copied out. False also when
    // a writer intervened.
    bool load_block_key(std::uint64_t want, std::string_view id, std::string_view scope, std::string_view secret,
                        std::optional<hmac_block_key>& out, first_block_memo& memo) const noexcept {
      std::uint64_t before;
      if (!lock.read_begin(before) || tag.load(std::memory_order_relaxed) != want ||
          sizes.load(std::memory_order_relaxed) != sizes_of(id, scope, secret))
        return false;
      // (Whole words copied with a fixed size and the last one byte by byte: a copy of a
      // variable size per word cost more than the comparison.)
      const auto differs = [&](std::size_t part, std::string_view s) noexcept {
        std::uint64_t diff = 0;
        std::size_t i = 0;
        for (; s.size() - 8 * i >= 8; ++i) {
          std::uint64_t want_word;
          std::memcpy(&want_word, s.data() + 8 * i, 8);
          diff |= text[part * text_words + i].load(std::memory_order_relaxed) ^ want_word;
        }
        if (8 * i < s.size()) {
          unsigned char last[8] = {};
          for (std::size_t k = 0; 8 * i + k < s.size(); ++k) last[k] = static_cast<unsigned char>(s[8 * i + k]);
          std::uint64_t want_word;
          std::memcpy(&want_word, last, 8);
          diff |= text[part * text_words + i].load(std::memory_order_relaxed) ^ want_word;
        }
        return diff;
      };
      const bool same_public = differs(0, id) == 0 && differs(1, scope) == 0;
      const std::uint64_t secret_diff = differs(2, secret);
      sha256_state inner, outer;
      inner_state.get(inner);
      outer_state.get(outer);
      const bool hit = lock.read_valid(before) && same_public && secret_diff == 0;
      if (hit) {
        out.emplace(inner, outer);
        memo = first_block_memo{&first_block, before};
        if (!used.load(std::memory_order_relaxed)) used.store(true, std::memory_order_relaxed);
      }
      detail::wipe(inner);
      detail::wipe(outer);
      return hit;
    }

    // Replaces the record's contents (the caller holds the writers' mutex) and empties its
    // first-block memo; returns the new generation.
    std::uint64_t store(std::uint64_t new_tag, std::string_view id, std::string_view scope, std::string_view secret,
                        const signing_key& k) noexcept {
      const std::uint64_t s = lock.write_begin();  // (never waits: writers hold the mutex)
      tag.store(new_tag, std::memory_order_relaxed);
      sizes.store(sizes_of(id, scope, secret), std::memory_order_relaxed);
      write_text(text, 0, id);
      write_text(text, 1, scope);
      write_text(text, 2, secret);
      {
        const hmac_block_key b(k.bytes().data(), k.bytes().size());
        inner_state.put(b.inner());
        outer_state.put(b.outer());
      }
      used.store(false, std::memory_order_relaxed);
      first_block.clear();
      return lock.write_end(s);
    }

    void wipe() noexcept {
      tag.store(0, std::memory_order_relaxed);
      for (auto& w : text) w.store(0, std::memory_order_relaxed);
      inner_state.zero();
      outer_state.zero();
      first_block.clear();
    }
  };

  // The way of `set` to replace: an empty one, else one that no hit has touched since the marks
  // were last cleared (not recently used); when every way has been hit, the marks are cleared
  // and the ways taken in turn.
  std::size_t victim(std::size_t set) const noexcept {
    for (std::size_t w = 0; w < ways; ++w)
      if (records_[set + w].tag.load(std::memory_order_relaxed) == 0) return w;
    ++hand_;
    for (std::size_t step = 0; step < ways; ++step) {
      const std::size_t w = (hand_ + step) % ways;
      if (!records_[set + w].used.load(std::memory_order_relaxed)) return w;
    }
    for (std::size_t w = 0; w < ways; ++w) records_[set + w].used.store(false, std::memory_order_relaxed);
    return hand_ % ways;
  }

  std::unique_ptr<record[]> records_;
  mutable std::mutex writer_;
  mutable std::size_t hand_ = 0;  // under writer_
};

SIGV4_BACKEND_NS_END
}  // namespace sigv4::detail

#endif
