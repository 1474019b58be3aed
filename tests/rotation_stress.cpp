// Credentials swapped under load: several threads presign (GET and PUT URLs, some with extra
// signed headers, on two scope days, and POST forms) through one shared s3::presigner while
// another thread replaces its credentials every millisecond. Every URL and form is checked by
// the library's verifiers against the credentials of its own epoch, which the access key id
// in it names: a URL signed partly with one epoch's credentials and partly with another's (the
// key id of one, the secret, session token or expiry of another) fails the check.
//
// Each epoch n has the key id AKIDROTATE<n>, a secret derived from n, and, for odd n, a session
// token derived from n and an expiry (so that the token parameter and the expiry guard switch
// on and off between epochs).
//
// A program of its own, so that it can be built with -fsanitize=thread (the CMake target
// rotation_stress_tsan, when the compiler can) without the rest of the tests:
//   g++ -std=c++17 -O1 -g -fsanitize=thread -Iinclude tests/rotation_stress.cpp -lcrypto -pthread
#include <sigv4/post_policy.hpp>
#include <sigv4/s3.hpp>
#include <sigv4/verify.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {
using namespace std::chrono_literals;

const sigv4::time_point when = sigv4::parse_amz_date("20260301T120000Z");
const sigv4::time_point next_day = when + 24h;
const sigv4::time_point far_expiry = sigv4::parse_amz_date("20260310T000000Z");

std::string key_id_of(unsigned long n) { return "AKIDROTATE" + std::to_string(n); }
std::string secret_of(unsigned long n) { return "rotated/secret/" + std::to_string(n * 7919 + 13) + "/wJalrXUtnFEMI"; }
std::string token_of(unsigned long n) { return n % 2 == 1 ? "FwoGZXIv+token/" + std::to_string(n) + "=" : ""; }

sigv4::credentials creds_of(unsigned long n) {
  const std::string token = token_of(n);
  return sigv4::credentials(key_id_of(n), secret_of(n), token,
                            token.empty() ? std::nullopt : std::optional<sigv4::time_point>(far_expiry));
}

// The epoch an access key id names, or nullopt.
std::optional<unsigned long> epoch_of(std::string_view id) {
  constexpr std::string_view prefix = "AKIDROTATE";
  if (id.substr(0, prefix.size()) != prefix || id.size() == prefix.size()) return std::nullopt;
  unsigned long n = 0;
  for (char c : id.substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  return n;
}

std::optional<sigv4::key_entry> lookup(std::string_view id) {
  const auto n = epoch_of(id);
  if (!n) return std::nullopt;
  return sigv4::key_entry{sigv4::secret_string(secret_of(*n)), token_of(*n)};
}

// The access key id in a URL's X-Amz-Credential (up to %2F).
std::string_view key_id_in(std::string_view url) {
  const std::size_t a = url.find("X-Amz-Credential=");
  if (a == std::string_view::npos) return {};
  const std::size_t b = url.find("%2F", a);
  return url.substr(a + 17, b - a - 17);
}

struct tally {
  unsigned long urls = 0, forms = 0, failures = 0, epochs_seen = 0;
};
}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 4;

  sigv4::s3::presigner p("http://127.0.0.1:9000", "us-east-1", creds_of(0), sigv4::s3::addressing_style::path);
  sigv4::verify_options vo;
  const sigv4::verifier verifier(lookup, vo);
  const sigv4::s3::post_verifier post_verifier(lookup);

  std::atomic<bool> stop{false};
  std::atomic<unsigned long> swaps{0};
  std::vector<tally> tallies(threads);
  std::vector<std::thread> workers;
  std::atomic<unsigned long> printed{0};
  const auto report = [&](const char* what, const std::string& detail) {
    if (printed.fetch_add(1) < 10) std::printf("FAIL %s: %s\n", what, detail.c_str());
  };

  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      tally& mine = tallies[t];
      std::string url;
      unsigned long last_epoch = ~0ul;
      const std::string key = "jobs/thread-" + std::to_string(t) + "/result.tif";
      for (unsigned long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const sigv4::time_point at = i % 3 == 0 ? next_day : when;
        sigv4::s3::object_request r;
        r.bucket = "geocrop-results";
        r.key = key;
        r.expires = 900s;
        r.method = i % 2 == 0 ? sigv4::s3::http_method::get : sigv4::s3::http_method::put;
        std::vector<sigv4::header> sent;
        if (i % 4 == 1) {
          r.headers = {{"Content-Type", "image/tiff"}};
          sent = {{"Content-Type", "image/tiff"}};
        }
        url.clear();
        try {
          p.presign(r, at, url);
        } catch (const sigv4::error& e) {
          ++mine.failures;
          report("presign", e.what());
          continue;
        }
        ++mine.urls;
        const auto epoch = epoch_of(key_id_in(url));
        if (!epoch) {
          ++mine.failures;
          report("no epoch in URL", "");
          continue;
        }
        if (*epoch != last_epoch) ++mine.epochs_seen, last_epoch = *epoch;
        const bool has_token = url.find("X-Amz-Security-Token=") != std::string::npos;
        const auto v = verifier.verify_presigned_url(sigv4::s3::method_name(r.method), url, sent, at);
        if (!v || has_token != !token_of(*epoch).empty()) {
          ++mine.failures;
          report("URL", std::string(to_string(v.reason)) + " " + v.detail + " (epoch " + std::to_string(*epoch) + ")");
        }
        if (i % 16 == 7) {
          sigv4::s3::post_policy pol;
          pol.bucket = "geocrop-results";
          pol.key = key;
          pol.expires = 600s;
          try {
            const auto form = sigv4::s3::presign_post(p, pol, at);
            ++mine.forms;
            const auto c = post_verifier.verify("geocrop-results", form.fields, 10, at);
            if (!c.valid()) {
              ++mine.failures;
              report("form", std::string(to_string(c.reason)) + " " + c.detail);
            }
          } catch (const sigv4::error& e) {
            ++mine.failures;
            report("presign_post", e.what());
          }
        }
      }
    });
  }
  std::thread swapper([&] {
    for (unsigned long n = 1; !stop.load(std::memory_order_relaxed); ++n) {
      p.set_credentials(creds_of(n));
      swaps.store(n, std::memory_order_relaxed);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& w : workers) w.join();
  swapper.join();

  tally all;
  for (const tally& t : tallies) {
    all.urls += t.urls;
    all.forms += t.forms;
    all.failures += t.failures;
    all.epochs_seen += t.epochs_seen;
  }
  // The last epoch is the presigner's now.
  const bool last_is_current = p.creds().access_key_id() == key_id_of(swaps.load());
  std::printf("%lu URLs and %lu forms by %u threads, %lu swaps, %lu epoch changes seen by the threads, "
              "%lu failures\n",
              all.urls, all.forms, threads, swaps.load(), all.epochs_seen, all.failures);
  // The test must have exercised swaps under load: many swaps, and threads that saw many epochs.
  const bool exercised = swaps.load() >= 50 && all.epochs_seen >= 2 * threads && all.urls >= 1000;
  if (!exercised) std::printf("FAIL the run did not swap under load enough to prove anything\n");
  if (!last_is_current) std::printf("FAIL the presigner does not hold the last credentials set\n");
  return all.failures == 0 && exercised && last_is_current ? 0 : 1;
}
