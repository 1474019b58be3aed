// No copy of the secret survives sigv4::sts::parse_credentials_response, on any path.
//
// This program replaces the global operator new and delete: every block handed back is
// searched for the start of a recognisable secret before it is freed. It then feeds the parser
// answers that it refuses at every point after (and while) the secret is decoded, and answers
// it accepts, and requires that no freed block ever held the secret. A parser that let a
// std::string with the secret die unwiped, or grew one by reallocation (the old buffer freed
// with the text in it), is caught here; the secret's own block in sigv4::secret_string is
// wiped before it is freed, so the accepted answers must come out clean too.
//
// The same watch then checks s3::presigner::set_credentials: replacing the credentials frees
// the old ones and the per-day signing keys derived from them, each wiped first.
//
// A program of its own, not a Catch2 test: the replaced allocator must not watch the rest of
// the unit tests. glibc only (malloc_usable_size gives the size of a block freed unsized).
#include <sigv4/header_signer.hpp>
#include <sigv4/sts.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#define SIGV4_CAN_WATCH_FREES 1
#endif

namespace {
// The first bytes of the secret: any block holding them held (a part of) the secret. The
// secret is built at run time so that it never sits in the program image as one string.
char marker[17] = {};
// A second pattern to watch for, when set (the first 16 bytes of a signing key).
unsigned char key_marker[16] = {};
bool watch_key = false;
bool watching = false;
int leaks = 0;

void inspect(void* p, std::size_t n) noexcept {
  if (!watching || p == nullptr || marker[0] == '\0' || n < 16) return;
  const char* c = static_cast<const char*>(p);
  for (std::size_t i = 0; i + 16 <= n; ++i)
    if (std::memcmp(c + i, marker, 16) == 0 || (watch_key && std::memcmp(c + i, key_marker, 16) == 0)) {
      ++leaks;
      return;
    }
}
}  // namespace

#if defined(SIGV4_CAN_WATCH_FREES)
void* operator new(std::size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
// Every form of delete frees through one function (not through ::operator delete, which GCC,
// seeing malloc inlined behind operator new, reports as a mismatched pair).
static void inspect_and_free(void* p) noexcept {
  if (p) inspect(p, malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p) noexcept { inspect_and_free(p); }
void operator delete[](void* p) noexcept { inspect_and_free(p); }
void operator delete(void* p, std::size_t) noexcept { inspect_and_free(p); }
void operator delete[](void* p, std::size_t) noexcept { inspect_and_free(p); }
#endif

namespace {
std::string answer(const std::string& secret_text, const std::string& token_text, const std::string& tail) {
  return "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
         "<SecretAccessKey>" + secret_text + "</SecretAccessKey>" + token_text + tail +
         "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
}

struct probe {
  const char* what;
  std::string doc;
  bool accepted;
};
}  // namespace

int main() {
#if !defined(SIGV4_CAN_WATCH_FREES)
  std::puts("sts_wipe_test: needs glibc (malloc_usable_size); nothing checked");
  return 1;
#else
  // 48 bytes: well past any small-string buffer, so std::string keeps it on the heap.
  std::string secret = "Zq7Xw";
  secret += "SECRET-MARKER-";
  for (char c = 'a'; c <= 'z'; ++c) secret.push_back(c);
  secret.resize(48, 'k');
  std::memcpy(marker, secret.data(), 16);
  // The secret spelled with entities: decoding shrinks it into a buffer of the raw size.
  std::string escaped;
  for (char c : secret) escaped += c == 'S' ? std::string("&#83;") : c == 'M' ? std::string("&#x4D;") : std::string(1, c);
  const std::string token = "<SessionToken>FQoGZXIvYXdzEXAMPLETOKEN+/=</SessionToken>";
  const std::string expiry = "<Expiration>2031-01-01T00:00:00Z</Expiration>";

  const std::vector<probe> probes = {
      {"accepted", answer(secret, token, expiry), true},
      {"accepted, secret with entities", answer(escaped, token, expiry), true},
      {"no session token", answer(secret, "", expiry), false},
      {"empty session token", answer(secret, "<SessionToken></SessionToken>", expiry), false},
      {"no expiration", answer(secret, token, ""), false},
      {"bad expiration", answer(secret, token, "<Expiration>soon</Expiration>"), false},
      {"repeated secret", answer(secret, token, expiry + "<SecretAccessKey>" + secret + "</SecretAccessKey>"), false},
      {"unknown entity late in the secret", answer(escaped + "&bogus;", token, expiry), false},
      {"bad reference late in the secret", answer(escaped + "&#xZZ;", token, expiry), false},
      {"markup after the secret", answer(secret + "<b/>", token, expiry), false},
      {"unusable key id", [&] {
         std::string d = answer(escaped, token, expiry);
         d.replace(d.find("ASIAEXAMPLE"), 11, "ASIA EXAMPLE");
         return d;
       }(), false},
      {"token with a control character", answer(secret, "<SessionToken>a&#1;b</SessionToken>", expiry), false},
  };
  int failures = 0;
  for (const probe& p : probes) {
    leaks = 0;
    bool accepted = false;
    {
      watching = true;
      try {
        const sigv4::credentials c = sigv4::sts::parse_credentials_response(p.doc);
        accepted = c.secret_access_key() == secret;
      } catch (const sigv4::error& e) {
        accepted = false;
        if (e.code() != sigv4::errc::invalid_sts_response) {
          std::printf("FAIL %s: error code %d\n", p.what, e.code().value());
          ++failures;
        }
      }
      watching = false;
    }
    const bool ok = accepted == p.accepted && leaks == 0;
    std::printf("%s %s: %s, %d freed block(s) held the secret\n", ok ? "ok  " : "FAIL", p.what,
                accepted ? "accepted" : "refused", leaks);
    if (!ok) ++failures;
  }
  // A presigner's old credentials and their day keys, freed by set_credentials, come out wiped.
  {
    const sigv4::time_point day = sigv4::parse_amz_date("20260301T120000Z");
    const auto k = sigv4::derive_signing_key(secret, "20260301", "us-east-1", "s3");
    std::memcpy(key_marker, k.bytes().data(), sizeof key_marker);
    sigv4::s3::presigner p("http://127.0.0.1:9000", "us-east-1", sigv4::credentials("AKIDOLD", secret),
                           sigv4::s3::addressing_style::path);
    leaks = 0;
    watching = true;
    watch_key = true;
    const std::string url = p.presign_get("bkt", "key", std::chrono::seconds(900), day);
    const std::string url2 = p.presign_get("bkt", "key", std::chrono::seconds(900), day + std::chrono::hours(24));
    p.set_credentials(sigv4::credentials("AKIDNEW", "another-secret-entirely"));
    const bool swapped = p.creds().access_key_id() == "AKIDNEW";
    watching = false;
    watch_key = false;
    const bool ok = swapped && leaks == 0 && url.find("AKIDOLD") != std::string::npos;
    std::printf("%s set_credentials: %d freed block(s) held the old secret or its signing key\n", ok ? "ok  " : "FAIL",
                leaks);
    if (!ok) ++failures;
  }
  // A sigv4::signer's credentials and the day keys of its cache, freed by set_credentials and
  // by its destructor, come out wiped.
  {
    const sigv4::time_point day = sigv4::parse_amz_date("20260301T120000Z");
    const auto payload = sigv4::payload_hash::unsigned_payload();
    const sigv4::signer_options s3{sigv4::path_rules::s3, true, sigv4::token_placement::signed_in_request};
    leaks = 0;
    watching = true;
    watch_key = true;
    bool signed_old = false;
    {
      sigv4::signer s(sigv4::credentials("AKIDOLD", secret), "us-east-1", "s3", s3);
      signed_old = s.sign("GET", "/bkt/key", "", {{"Host", "h"}}, payload, day).credential().substr(0, 8) == "AKIDOLD/";
      (void)s.sign("GET", "/bkt/key", "", {{"Host", "h"}}, payload, day + std::chrono::hours(24));
      s.set_credentials(sigv4::credentials("AKIDNEW", "another-secret-entirely"));
      (void)s.sign("GET", "/bkt/key", "", {{"Host", "h"}}, payload, day);
      sigv4::signer kept(sigv4::credentials("AKIDOLD", secret), "us-east-1", "s3", s3);
      (void)kept.sign("GET", "/bkt/key", "", {{"Host", "h"}}, payload, day);  // destroyed holding the key
    }
    watching = false;
    watch_key = false;
    const bool ok = signed_old && leaks == 0;
    std::printf("%s signer: %d freed block(s) held the old secret or its signing key\n", ok ? "ok  " : "FAIL", leaks);
    if (!ok) ++failures;
    // A header_signature's buffers hold the session token it signed: wiped when it dies.
    const sigv4::signer t(sigv4::credentials("AKIDTOKEN", "another-secret-entirely", secret), "us-east-1", "s3", s3);
    leaks = 0;
    watching = true;
    bool signed_token = false;
    {
      const sigv4::header_signature sig = t.sign("GET", "/bkt/key", "", {{"Host", "h"}}, payload, day);
      signed_token = sig.security_token() == secret && sig.canonical_request().find(secret) != std::string_view::npos;
      sigv4::header_signature copy = sig;
      sigv4::header_signature moved = std::move(copy);
    }
    watching = false;
    const bool token_ok = signed_token && leaks == 0;
    std::printf("%s header_signature: %d freed block(s) held the session token\n", token_ok ? "ok  " : "FAIL", leaks);
    if (!token_ok) ++failures;
  }
  // The detector itself: a std::string holding the secret, freed unwiped, must be seen.
  leaks = 0;
  watching = true;
  std::string* volatile copy = new std::string(secret.data(), secret.size());
  delete copy;
  watching = false;
  const bool detector_works = leaks == 1;
  std::printf("%s the watch sees a std::string freed with the secret in it\n", detector_works ? "ok  " : "FAIL");
  if (!detector_works) ++failures;
  // ... and a freed block holding a signing key's bytes.
  leaks = 0;
  watching = watch_key = true;
  unsigned char* volatile raw = new unsigned char[48]();
  std::memcpy(raw + 8, key_marker, sizeof key_marker);
  delete[] raw;
  watching = watch_key = false;
  const bool key_detector_works = leaks == 1;
  std::printf("%s the watch sees a block freed with a signing key in it\n", key_detector_works ? "ok  " : "FAIL");
  if (!key_detector_works) ++failures;
  std::printf("%d passed, %d failed\n", static_cast<int>(probes.size()) + 5 - failures, failures);
  return failures == 0 ? 0 : 1;
#endif
}
