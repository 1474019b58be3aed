// Fault injection (built with SIGV4_FAULT_INJECTION, once per SHA-256 back end): every public
// entry point that hashes is driven through each of its OpenSSL calls failing in turn, and
// through each of its heap allocations failing in turn. Each faulted call must throw
// (sigv4::error with errc::crypto_failure for OpenSSL, std::bad_alloc for the allocator): never
// crash, never return a signature, never say "valid". An output buffer the call appends to
// must be as it was, and the next call on the same object must give the published answer
// again (no cache left half-built). The answers come from AWS's documentation: the S3
// presigned-URL example, the S3 "GET Object with Range" header example, the POST example, and
// the signing-key example of the SigV4 guide. Under ASan, LeakSanitizer checks every path.
#include <sigv4/sigv4.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#ifndef SIGV4_FAULT_INJECTION
#error "build with -DSIGV4_FAULT_INJECTION"
#endif

#include "counting_new.hpp"

namespace {
using counting_new::alloc_calls;
using counting_new::alloc_countdown;
using sigv4::detail::fault_calls;
using sigv4::detail::fault_countdown;

int failures = 0;
unsigned long openssl_faults = 0, allocation_faults = 0;
void fail(const std::string& what) {
  ++failures;
  std::printf("FAIL: %s\n", what.c_str());
}

// One entry point: make() builds what the call needs (a presigner, a verifier; construction is
// part of what is faulted), call() runs it into `out` (appending) and returns false where a
// verdict is "not valid". The published answer is what `out` must hold after a clean call.
struct scenario {
  const char* name;
  std::function<std::shared_ptr<void>()> make;
  std::function<bool(void*, std::string&)> call;
  std::string published;
};

// A clean run: the published answer, and how many OpenSSL calls and allocations it took.
bool clean_run(const scenario& s, unsigned long& ssl, unsigned long& allocs) {
  fault_countdown = 0;
  alloc_countdown = 0;
  const unsigned long ssl0 = fault_calls, alloc0 = alloc_calls;
  auto obj = s.make();
  std::string out;
  const bool ok = s.call(obj.get(), out);
  ssl = fault_calls - ssl0;
  allocs = alloc_calls - alloc0;
  if (!ok || out != s.published) {
    fail(std::string(s.name) + ": a clean run does not give the published answer: " + out);
    return false;
  }
  return true;
}

enum class fault_kind { openssl, allocation };

// Runs `f` on a new thread: the verifier's thread-local scratch starts cold on each run, so
// that a run makes the same allocations as the clean run it is counted against.
template <class F>
void on_fresh_thread(F f) {
  std::thread t(f);
  t.join();
}

// Arms the fault at call n, runs make+call, and checks what is left.
void faulted_run(const scenario& s, fault_kind kind, unsigned long n) {
  const std::string where = std::string(s.name) + (kind == fault_kind::openssl ? ", OpenSSL call " : ", allocation ") +
                            std::to_string(n);
  std::shared_ptr<void> obj;
  std::string out = "kept:";  // short enough to need no allocation
  bool threw = false;
  (kind == fault_kind::openssl ? fault_countdown : alloc_countdown) = n;
  try {
    obj = s.make();
    const bool ok = s.call(obj.get(), out);
    fault_countdown = 0;
    alloc_countdown = 0;
    fail(where + ": no exception; " + (ok ? "a valid answer: " + out : "a refusal"));
  } catch (const sigv4::error& e) {
    threw = true;
    fault_countdown = 0;
    alloc_countdown = 0;
    if (kind != fault_kind::openssl || e.code() != sigv4::errc::crypto_failure)
      fail(where + ": sigv4::error " + e.what());
  } catch (const std::bad_alloc&) {
    threw = true;
    fault_countdown = 0;
    alloc_countdown = 0;
    if (kind != fault_kind::allocation) fail(where + ": std::bad_alloc");
  }
  if (!threw) return;
  (kind == fault_kind::openssl ? openssl_faults : allocation_faults) += 1;
  if (out != "kept:") fail(where + ": the output was left half-written: " + out);
  // the same object (or a new one, when construction failed) works again
  if (!obj) obj = s.make();
  std::string again;
  if (!s.call(obj.get(), again) || again != s.published) fail(where + ": the next call gives " + again);
}

// ---------------------------------------------------------------------------------------------
const char* const s3_key_id = "AKIAIOSFODNN7EXAMPLE";
const char* const s3_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

// Amazon S3 API reference, "Authenticating Requests: Using Query Parameters".
const char* const aws_example_url =
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
// Amazon S3 API reference, "Signature Calculations for the Authorization Header", GET Object.
const char* const aws_range_signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
const char* const empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

sigv4::key_lookup s3_keys() {
  return [](std::string_view id) -> std::optional<sigv4::key_entry> {
    if (id != s3_key_id) return std::nullopt;
    return sigv4::key_entry{sigv4::secret_string(s3_secret), ""};
  };
}

std::vector<sigv4::header> range_request() {
  return {{"Host", "examplebucket.s3.amazonaws.com"},
          {"Range", "bytes=0-9"},
          {"x-amz-content-sha256", empty_sha256},
          {"x-amz-date", "20130524T000000Z"},
          {"Authorization",
           std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=") +
               aws_range_signature}};
}

template <class T>
T& as(void* p) {
  return *static_cast<T*>(p);
}

std::vector<scenario> scenarios() {
  const sigv4::time_point s3_day = sigv4::parse_amz_date("20130524T000000Z");
  const auto presigner = [] {
    return std::make_shared<sigv4::s3::presigner>("https://s3.amazonaws.com", "us-east-1",
                                                  sigv4::credentials(s3_key_id, s3_secret),
                                                  sigv4::s3::addressing_style::virtual_hosted);
  };
  const auto verifier = [] { return std::make_shared<sigv4::verifier>(s3_keys()); };
  const auto nothing = [] { return std::shared_ptr<void>(); };
  std::vector<scenario> all;

  all.push_back({"presigner::presign (AWS's presigned GET)", presigner,
                 [s3_day](void* p, std::string& out) {
                   sigv4::s3::object_request r;
                   r.bucket = "examplebucket";
                   r.key = "test.txt";
                   r.expires = std::chrono::seconds(86400);
                   as<sigv4::s3::presigner>(p).presign(r, s3_day, out);
                   return true;
                 },
                 aws_example_url});

  all.push_back({"sign_headers (AWS's GET Object with Range)", nothing,
                 [s3_day](void*, std::string& out) {
                   sigv4::http_request req;
                   req.method = "GET";
                   req.path = "/test.txt";
                   req.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
                   sigv4::signing_options o;
                   o.region = "us-east-1";
                   o.service = "s3";
                   o.path = sigv4::path_rules::s3;
                   o.payload = sigv4::payload_hash::of("");
                   o.content_sha256_header = true;
                   out += sigv4::sign_headers(req, sigv4::credentials(s3_key_id, s3_secret), o, s3_day).signature;
                   return true;
                 },
                 aws_range_signature});

  const auto header_signer = [] {
    return std::make_shared<sigv4::signer>(sigv4::credentials(s3_key_id, s3_secret), "us-east-1", "s3",
                                           sigv4::signer_options{sigv4::path_rules::s3, true,
                                                                 sigv4::token_placement::signed_in_request});
  };
  all.push_back({"signer::sign (AWS's GET Object with Range)", header_signer,
                 [s3_day](void* p, std::string& out) {
                   const sigv4::header_signature sig =
                       as<sigv4::signer>(p).sign("GET", "/test.txt", "",
                                                 {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}},
                                                 sigv4::payload_hash::of(""), s3_day);
                   out += sig.signature();
                   return true;
                 },
                 aws_range_signature});

  all.push_back({"verifier::verify_presigned_url (AWS's presigned GET)", verifier,
                 [s3_day](void* v, std::string& out) {
                   const auto r = as<sigv4::verifier>(v).verify_presigned_url("GET", aws_example_url, {}, s3_day);
                   out += sigv4::to_string(r.reason);
                   return r.valid();
                 },
                 "valid"});

  all.push_back({"verifier::verify_signed_request (AWS's GET Object with Range)", verifier,
                 [s3_day](void* v, std::string& out) {
                   const auto r =
                       as<sigv4::verifier>(v).verify_signed_request("GET", "/test.txt", range_request(), std::nullopt, s3_day);
                   out += sigv4::to_string(r.reason);
                   return r.valid();
                 },
                 "valid"});

  // The SigV4 guide's signing-key example (secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
  // 20120215, us-east-1, iam).
  all.push_back({"derive_signing_key (the SigV4 guide's example)", nothing,
                 [](void*, std::string& out) {
                   const auto k =
                       sigv4::derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
                   out += sigv4::detail::to_hex(k.bytes().data(), k.bytes().size());
                   return true;
                 },
                 "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"});

  // AWS's POST example (Amazon S3 API reference, "Example: Browser-Based Upload using HTTP POST
  // (Using AWS Signature Version 4)"): the published signature of the published policy.
  all.push_back({"post_policy_signature (AWS's POST example)", nothing,
                 [](void*, std::string& out) {
                   const auto key = sigv4::derive_signing_key(s3_secret, "20151229", "us-east-1", "s3");
                   out += sigv4::s3::post_policy_signature(
                       key,
                       "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6"
                       "ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFj"
                       "bCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tl"
                       "dC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5"
                       "cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZl"
                       "ci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoN"
                       "CiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVx"
                       "dWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAx"
                       "NTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9");
                   return true;
                 },
                 "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"});

  // The POST checker on the fields of the same example's form, before its expiration.
  all.push_back({"post_verifier::verify (AWS's POST example form)",
                 [] { return std::make_shared<sigv4::s3::post_verifier>(s3_keys()); },
                 [](void* v, std::string& out) {
                   const std::vector<sigv4::s3::post_field> form = {
                       {"key", "user/user1/${filename}"},
                       {"acl", "public-read"},
                       {"success_action_redirect", "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},
                       {"Content-Type", "image/jpeg"},
                       {"x-amz-meta-uuid", "14365123651274"},
                       {"x-amz-server-side-encryption", "AES256"},
                       {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
                       {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                       {"X-Amz-Date", "20151229T000000Z"},
                       {"x-amz-meta-tag", ""},
                       {"Policy",
                        "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tl"
                        "dCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAg"
                        "ICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhh"
                        "bXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwg"
                        "IiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAg"
                        "ICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXot"
                        "bWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkv"
                        "dXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwN"
                        "CiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"},
                       {"X-Amz-Signature", "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"}};
                   const auto r = as<sigv4::s3::post_verifier>(v).verify("sigv4examplebucket", form, 1000,
                                                                         sigv4::parse_amz_date("20151230T115959Z"));
                   out += sigv4::s3::to_string(r.reason);
                   return r.reason == sigv4::s3::post_reason::valid;
                 },
                 "valid"});
  return all;
}
}  // namespace

int main() {
  const auto all = scenarios();
  for (const auto& s : all) {
    unsigned long ssl = 0, allocs = 0;
    bool clean = false;
    on_fresh_thread([&] { clean = clean_run(s, ssl, allocs); });
    if (!clean) continue;
    if (ssl == 0) fail(std::string(s.name) + ": made no OpenSSL call, so nothing was injected");
    for (unsigned long n = 1; n <= ssl; ++n) on_fresh_thread([&] { faulted_run(s, fault_kind::openssl, n); });
    for (unsigned long n = 1; n <= allocs; ++n) on_fresh_thread([&] { faulted_run(s, fault_kind::allocation, n); });
    std::printf("%-62s %3lu OpenSSL calls, %3lu allocations\n", s.name, ssl, allocs);
  }
  std::printf("fault injection (%s): %lu OpenSSL faults and %lu allocation faults over %zu entry points, %d failures\n",
              SIGV4_LOW_LEVEL_SHA256 ? "low-level SHA-256" : "EVP", openssl_faults, allocation_faults, all.size(), failures);
  return failures == 0 ? 0 : 1;
}
