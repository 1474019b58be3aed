/// @file
/// sigv4 — a ready key lookup for the verifiers over a set of keys that changes while they run:
/// the server side of a credential rotation, where the old and the new key both verify during
/// an overlap window.
#ifndef SIGV4_KEY_SET_HPP
#define SIGV4_KEY_SET_HPP

#include "detail/config.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "credentials.hpp"
#include "verify.hpp"

namespace sigv4 {
SIGV4_BACKEND_NS_BEGIN

/// Access keys a verifier accepts, changeable while it runs (safe to share between threads:
/// lookups take a shared lock, changes an exclusive one). For a rotation:
///   1. put(new key): from now on URLs signed with either key verify;
///   2. switch the signers to the new key (s3::presigner::set_credentials);
///   3. after the overlap, the longest lifetime of a URL signed with the old key, remove(old):
///      URLs signed with it are refused from then on (unknown_access_key), also those that
///      have not expired yet.
/// The verifiers cache signing keys by (access key, scope, secret), so a removed key stops
/// verifying at once and a key put again with another secret is used at once.
class key_set {
 public:
  key_set() = default;
  key_set(const key_set&) = delete;
  key_set& operator=(const key_set&) = delete;

  /// Adds (or replaces) a key: its secret and the session token its requests must carry
  /// (empty: none).
  /// @param access_key_id the key's access key id.
  /// @param secret its secret access key (copied into a secret_string, wiped when removed).
  /// @param session_token the session token requests with this key must carry; empty: none.
  /// @throws sigv4::error errc::invalid_credentials for an empty id or secret.
  void put(std::string access_key_id, std::string_view secret, std::string session_token = {}) {
    if (access_key_id.empty()) throw error(errc::invalid_credentials, "the access key id is empty");
    if (secret.empty()) throw error(errc::invalid_credentials, "the secret access key is empty");
    auto e = std::make_shared<const key_entry>(key_entry{secret_string(secret), std::move(session_token)});
    std::unique_lock<std::shared_mutex> lock(state_->mutex);
    state_->keys.insert_or_assign(std::move(access_key_id), std::move(e));
  }
  /// Adds the key of `c` (its id, secret and session token).
  /// @param c the credentials whose key requests may be signed with.
  /// @throws sigv4::error errc::invalid_credentials for an empty id or secret.
  void put(const credentials& c) { put(c.access_key_id(), c.secret_access_key(), c.session_token()); }

  /// Removes a key; false when it was not there. Its secret is wiped (once no thread's lender
  /// still holds it: see lender()).
  /// @param access_key_id the key's access key id.
  /// @return true when the key was in the set and is now removed.
  bool remove(std::string_view access_key_id) {
    std::unique_lock<std::shared_mutex> lock(state_->mutex);
    const auto it = state_->keys.find(access_key_id);
    if (it == state_->keys.end()) return false;
    state_->keys.erase(it);
    return true;
  }

  /// @return the number of keys in the set.
  std::size_t size() const {
    std::shared_lock<std::shared_mutex> lock(state_->mutex);
    return state_->keys.size();
  }

  /// The key of `access_key_id`, as a key_lookup returns it; nullopt when unknown.
  /// @param access_key_id the access key id of a request.
  /// @return a copy of its secret and session token; nullopt when the set does not hold it.
  std::optional<key_entry> find(std::string_view access_key_id) const { return state_->find(access_key_id); }

  /// A key_lookup for verifier / post_verifier over this set. It shares the set's state, so
  /// it stays valid (and sees every later change) even if the key_set object goes first.
  /// @return the lookup, to pass to the verifier's constructor.
  key_lookup lookup() const {
    return [state = state_](std::string_view id) { return state->find(id); };
  }

  /// A key_lender for verifier / post_verifier over this set, the one that copies nothing: each
  /// thread keeps the entry it lent last alive (a reference count, no copy of the secret) until
  /// it lends the next one or ends, so a removed or replaced key's secret is wiped at the latest
  /// when each thread that verified with it verifies again or exits. It shares the set's state,
  /// as lookup() does.
  /// @return the lender, to pass to the verifier's constructor.
  key_lender lender() const {
    return [state = state_](std::string_view id) -> const key_entry* {
      thread_local std::shared_ptr<const key_entry> lent;
      lent = state->share(id);
      return lent.get();
    };
  }

 private:
  struct state {
    mutable std::shared_mutex mutex;
    std::map<std::string, std::shared_ptr<const key_entry>, std::less<>> keys;
    std::optional<key_entry> find(std::string_view id) const {
      std::shared_lock<std::shared_mutex> lock(mutex);
      const auto it = keys.find(id);
      if (it == keys.end()) return std::nullopt;
      return *it->second;
    }
    std::shared_ptr<const key_entry> share(std::string_view id) const {
      std::shared_lock<std::shared_mutex> lock(mutex);
      const auto it = keys.find(id);
      return it == keys.end() ? nullptr : it->second;
    }
  };
  std::shared_ptr<state> state_ = std::make_shared<state>();
};

SIGV4_BACKEND_NS_END
}  // namespace sigv4

#endif
