// sigv4 micro-benchmarks. Every presign is measured next to the floor: the raw SHA-256 and
// HMAC-SHA256 work the same URL needs, in the same binary and run. Allocations per operation
// come from a counting global operator new.
//
//   ./sigv4_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <sigv4/detail/sha256_blocks.hpp>
#include <sigv4/sigv4.hpp>

// ---- allocation counting ---------------------------------------------------------------
// GCC sees malloc under the replaced operator new and free under operator delete and warns
// of a mismatch that is not one: both are replaced together here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
// Per thread, so that counting costs no atomic operation (and no cache line shared between
// the threads of the two-thread runs).
thread_local long long t_allocations = 0;
}

void* operator new(std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace std::chrono_literals;

// Reports the allocations per iteration of this thread's loop (averaged over the threads).
class allocation_meter {
 public:
  explicit allocation_meter(benchmark::State& state) : state_(state), start_(t_allocations) {}
  ~allocation_meter() {
    state_.counters["allocs_per_op"] = benchmark::Counter(
        static_cast<double>(t_allocations - start_) / static_cast<double>(state_.iterations()),
        benchmark::Counter::kAvgThreads);
  }

 private:
  benchmark::State& state_;
  long long start_;
};

const char* const bucket = "geocrop-results";
const char* const key = "jobs/job-123/result.tif";
const char* const endpoint = "https://minio.example.com";
const sigv4::time_point when = sigv4::parse_amz_date("20260301T120000Z");

sigv4::credentials creds() { return sigv4::credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"); }

const sigv4::s3::presigner& shared_presigner() {
  static const sigv4::s3::presigner p(endpoint, "us-east-1", creds(), sigv4::s3::addressing_style::path);
  return p;
}

sigv4::s3::object_request get_request() {
  sigv4::s3::object_request r;
  r.bucket = bucket;
  r.key = key;
  r.expires = 900s;
  return r;
}

// The generic signer's view of the same GET: gives the canonical request and string to sign
// whose lengths the floor hashes.
sigv4::signing_result generic_get() {
  sigv4::http_request req;
  req.path = std::string("/") + bucket + "/" + key;
  req.headers = {{"Host", "minio.example.com"}};
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = sigv4::payload_hash::unsigned_payload();
  o.expires = 900s;
  return sigv4::presign(req, creds(), o, when);
}

// ---- the floor: SHA-256 of a canonical request + HMAC of a string to sign -----------------
void BM_floor(benchmark::State& state) {
  const auto g = generic_get();
  const std::string cr(g.canonical_request.size(), 'c');
  const std::string sts(g.string_to_sign.size(), 's');
  const auto k = sigv4::derive_signing_key("secret", "20260301", "us-east-1", "s3");
  const sigv4::detail::hmac_sha256_key hmac(k.bytes().data(), k.bytes().size());
  allocation_meter m(state);
  unsigned char out[32];
  for (auto _ : state) {
    const auto d = sigv4::detail::sha256(cr);
    benchmark::DoNotOptimize(d);
    hmac.sign(sts, out);
    benchmark::DoNotOptimize(out);
  }
  state.counters["canonical_request_bytes"] = static_cast<double>(cr.size());
  state.counters["string_to_sign_bytes"] = static_cast<double>(sts.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_floor);

// The block counts and key states of the floor's URL, for the block benchmarks.
struct floor_chain {
  std::size_t cr_blocks = 0;   // the canonical request's blocks, padded
  std::size_t sts_blocks = 0;  // the string to sign's blocks after its first
  sigv4::detail::hmac_block_key hmac;
  sigv4::detail::sha256_state first;  // the inner state after the string to sign's first block
  floor_chain()
      : hmac(sigv4::derive_signing_key("secret", "20260301", "us-east-1", "s3").bytes().data(),
             sigv4::detail::sha256_size) {
    namespace d = sigv4::detail;
    const auto g = generic_get();
    cr_blocks = d::sha256_padded_size(g.canonical_request.size()) / 64;
    sts_blocks = d::sha256_padded_size(g.string_to_sign.size() - 64) / 64;
    const unsigned char zeros[64] = {};
    first = hmac.inner();
    d::sha256_blocks(first, zeros, 1);
  }
};

// The physical reference: the block compressions a cached presigned GET cannot avoid, one
// after the other because each needs the last one's result: the canonical request's blocks
// from the initial state, the string to sign's after its first block (whose state the
// presigner keeps per second) and the outer HMAC block, from cached eight-word states, with
// the padding already in place (detail/sha256_blocks.hpp; SHA-NI when the CPU has it).
void BM_floor_blocks(benchmark::State& state) {
  namespace d = sigv4::detail;
  const floor_chain c;
  unsigned char cr[1024] = {}, sts[256] = {}, outer[64] = {};
  for (auto _ : state) {
    d::sha256_state h = d::sha256_initial_state;
    d::sha256_blocks(h, cr, c.cr_blocks);
    d::sha256_digest_of(h, sts);  // the next blocks hold the result of the last
    d::sha256_state in = c.first;
    d::sha256_blocks(in, sts, c.sts_blocks);
    d::sha256_digest_of(in, outer);
    d::sha256_state out = c.hmac.outer();
    d::sha256_blocks(out, outer, 1);
    d::sha256_digest_of(out, cr);
    benchmark::DoNotOptimize(cr);
  }
  state.counters["blocks"] = static_cast<double>(c.cr_blocks + c.sts_blocks + 1);
  state.counters["sha_ni"] = d::active_sha256_engine() == d::sha256_engine::sha_ni ? 1 : 0;
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_floor_blocks);

// The batch's physical reference: BM_floor_blocks for two URLs at once, their chains run as
// two SHA-256 streams through sha256_blocks2 (as presign_batch runs a pair), per URL. How far
// it falls below BM_floor_blocks is what interleaving gains on this CPU: about a quarter on
// the AMD EPYC issue 17 measured (~131 cycles a block for one stream, ~96 for two), nothing on
// the Intel Xeon of model 106 (Ice Lake) measured later (README, Performance).
void BM_floor_blocks_pair(benchmark::State& state) {
  namespace d = sigv4::detail;
  const floor_chain c;
  unsigned char cr[2][1024] = {}, sts[2][256] = {}, outer[2][64] = {};
  for (auto _ : state) {
    d::sha256_state h0 = d::sha256_initial_state, h1 = d::sha256_initial_state;
    d::sha256_blocks2(h0, cr[0], c.cr_blocks, h1, cr[1], c.cr_blocks);
    d::sha256_digest_of(h0, sts[0]);
    d::sha256_digest_of(h1, sts[1]);
    d::sha256_state in0 = c.first, in1 = c.first;
    d::sha256_blocks2(in0, sts[0], c.sts_blocks, in1, sts[1], c.sts_blocks);
    d::sha256_digest_of(in0, outer[0]);
    d::sha256_digest_of(in1, outer[1]);
    d::sha256_state out0 = c.hmac.outer(), out1 = c.hmac.outer();
    d::sha256_blocks2(out0, outer[0], 1, out1, outer[1], 1);
    d::sha256_digest_of(out0, cr[0]);
    d::sha256_digest_of(out1, cr[1]);
    benchmark::DoNotOptimize(cr);
  }
  state.counters["blocks"] = static_cast<double>(c.cr_blocks + c.sts_blocks + 1);
  state.counters["sha_ni"] = d::active_sha256_engine() == d::sha256_engine::sha_ni ? 1 : 0;
  state.counters["batch_size"] = 2;  // bench/table.py reports the row per URL
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_floor_blocks_pair);

// ---- presigning ------------------------------------------------------------------------
void BM_presign_get_cached(benchmark::State& state) {
  const auto& p = shared_presigner();
  const auto req = get_request();
  benchmark::DoNotOptimize(p.presign(req, when));  // warm the key cache and thread scratch
  allocation_meter m(state);
  for (auto _ : state) benchmark::DoNotOptimize(p.presign(req, when));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_presign_get_cached)->UseRealTime();
BENCHMARK(BM_presign_get_cached)->Threads(2)->UseRealTime();

// Presigns `req` into one reused buffer per thread.
void presign_into_buffer(benchmark::State& state, const sigv4::s3::object_request& req) {
  const auto& p = shared_presigner();
  std::string buf;
  p.presign(req, when, buf);  // warm the key cache, the thread's scratch space and the buffer
  allocation_meter m(state);
  for (auto _ : state) {
    buf.clear();
    p.presign(req, when, buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_presign_get_cached_buffer(benchmark::State& state) { presign_into_buffer(state, get_request()); }
BENCHMARK(BM_presign_get_cached_buffer)->UseRealTime();
BENCHMARK(BM_presign_get_cached_buffer)->Threads(2)->UseRealTime();

// As BM_presign_get_cached_buffer, but every URL is signed one second after the previous one,
// so the per-second state of the string to sign's first block is never reused: the cost of a
// presign when URLs are rare (at most one a second).
void BM_presign_get_new_second(benchmark::State& state) {
  const auto& p = shared_presigner();
  const auto req = get_request();
  std::string buf;
  p.presign(req, when, buf);
  std::int64_t second = 0;
  allocation_meter m(state);
  for (auto _ : state) {
    buf.clear();
    second = second == 43199 ? 1 : second + 1;  // stays within the signing day
    p.presign(req, when + std::chrono::seconds(second), buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_presign_get_new_second)->UseRealTime();

// As BM_presign_get_cached_buffer, while another thread replaces the presigner's credentials
// every `range(0)` milliseconds (set_credentials: a new epoch, whose day key the next URL
// derives; the swap waits for the presigns in flight). With 2 cores the swapping thread takes
// time from the presigning one only while it swaps. Allocations are those of the presigning
// thread (none: the swap allocates on its own thread).
void BM_presign_get_swapping(benchmark::State& state) {
  sigv4::s3::presigner p(endpoint, "us-east-1", creds(), sigv4::s3::addressing_style::path);
  const auto req = get_request();
  std::string buf;
  p.presign(req, when, buf);
  std::atomic<bool> stop{false};
  std::atomic<long long> swaps{0};
  std::thread swapper([&] {
    const auto every = std::chrono::milliseconds(state.range(0));
    for (long long n = 1; !stop.load(std::memory_order_relaxed); ++n) {
      std::this_thread::sleep_for(every);
      p.set_credentials(sigv4::credentials("AKIAROTATED" + std::to_string(n % 100), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
      swaps.store(n, std::memory_order_relaxed);
    }
  });
  {
    allocation_meter m(state);
    for (auto _ : state) {
      buf.clear();
      p.presign(req, when, buf);
      benchmark::DoNotOptimize(buf.data());
    }
  }
  stop.store(true);
  swapper.join();
  state.counters["swaps"] = static_cast<double>(swaps.load());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_presign_get_swapping)->Arg(1)->Arg(10)->UseRealTime();

// A manifest: 1,000 GET URLs for keys of mixed lengths (10 to 100 characters: canonical
// requests of 5 and 6 blocks, 8.4 blocks a URL on average against BM_floor's 9) through
// presign_batch into one reused result; items = URLs.
void BM_presign_batch(benchmark::State& state) {
  const auto& p = shared_presigner();
  std::vector<std::string> keys;
  std::uint32_t x = 12345;
  for (int i = 0; i < 1000; ++i) {
    x = x * 1103515245u + 12345u;
    const std::size_t len = 10 + (x >> 16) % 91;
    std::string k = "tiles/" + std::to_string(i) + "/";
    while (k.size() < len) k.push_back(static_cast<char>('a' + k.size() % 26));
    keys.push_back(k.substr(0, len - 4) + ".tif");
  }
  std::vector<sigv4::s3::object_request> reqs(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    reqs[i].bucket = bucket;
    reqs[i].key = keys[i];
    reqs[i].expires = 900s;
  }
  sigv4::s3::presigned_batch out;
  p.presign_batch(reqs.data(), reqs.size(), when, out);  // warm the buffers
  if (out.failures() != 0 || out.url(7) != p.presign(reqs[7], when)) state.SkipWithError("the batch differs");
  allocation_meter m(state);
  for (auto _ : state) {
    p.presign_batch(reqs.data(), reqs.size(), when, out);
    benchmark::DoNotOptimize(out.text().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(reqs.size()));
  // bench/table.py gives this row per URL: time and allocations divided by the batch size
  state.counters["batch_size"] = static_cast<double>(reqs.size());
}
BENCHMARK(BM_presign_batch)->UseRealTime();

void BM_presign_get_derived(benchmark::State& state) {
  const sigv4::s3::presigner p(endpoint, "us-east-1", creds(), sigv4::s3::addressing_style::path,
                               sigv4::s3::key_cache::off);
  const auto req = get_request();
  allocation_meter m(state);
  for (auto _ : state) benchmark::DoNotOptimize(p.presign(req, when));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_presign_get_derived);

void BM_presign_put_headers(benchmark::State& state) {
  auto req = get_request();
  req.method = sigv4::s3::http_method::put;
  req.headers = {{"Content-Type", "image/tiff"}, {"x-amz-meta-job-id", "job-123"}};
  presign_into_buffer(state, req);
}
BENCHMARK(BM_presign_put_headers)->UseRealTime();
BENCHMARK(BM_presign_put_headers)->Threads(2)->UseRealTime();

// ---- Authorization-header signing, verification, the steps alone ------------------------
void BM_sign_headers_put(benchmark::State& state) {
  const auto c = creds();
  sigv4::signing_options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.path = sigv4::path_rules::s3;
  o.payload = sigv4::payload_hash::of("small body");
  o.content_sha256_header = true;
  allocation_meter m(state);
  for (auto _ : state) {
    sigv4::http_request req;
    req.method = "PUT";
    req.path = std::string("/") + bucket + "/" + key;
    req.headers = {{"Host", "minio.example.com"}, {"Content-Type", "image/tiff"}};
    benchmark::DoNotOptimize(sigv4::sign_headers(req, c, o, when));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_headers_put);

// The same PUT through a sigv4::signer, as a program signing many requests calls it: one
// signer (the day's key derived once, kept in its cache), the request read through views of
// the caller's text, a new result per call (its two buffers: 2 allocations).
void BM_sign_headers_put_cached(benchmark::State& state) {
  const sigv4::signer s(creds(), "us-east-1", "s3", {sigv4::path_rules::s3, true, sigv4::token_placement::signed_in_request});
  const auto payload = sigv4::payload_hash::of("small body");
  const std::string path = std::string("/") + bucket + "/" + key;
  const auto sign = [&] {
    return s.sign("PUT", path, "", {{"Host", "minio.example.com"}, {"Content-Type", "image/tiff"}}, payload, when);
  };
  benchmark::DoNotOptimize(sign());  // warm the key cache
  allocation_meter m(state);
  for (auto _ : state) {
    const sigv4::header_signature sig = sign();
    benchmark::DoNotOptimize(sig.authorization().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_headers_put_cached);

// As BM_sign_headers_put_cached, signing into one reused result (no allocation once its
// buffers have grown).
void BM_sign_headers_put_cached_buffer(benchmark::State& state) {
  const sigv4::signer s(creds(), "us-east-1", "s3", {sigv4::path_rules::s3, true, sigv4::token_placement::signed_in_request});
  const auto payload = sigv4::payload_hash::of("small body");
  const std::string path = std::string("/") + bucket + "/" + key;
  sigv4::header_signature out;
  const auto sign = [&] {
    s.sign("PUT", path, "", {{"Host", "minio.example.com"}, {"Content-Type", "image/tiff"}}, payload, when, out);
  };
  sign();  // warm the key cache and the buffers
  allocation_meter m(state);
  for (auto _ : state) {
    sign();
    benchmark::DoNotOptimize(out.authorization().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_headers_put_cached_buffer);

// BM_sign_headers_put's call form (an http_request built and extended in place, its headers
// as std::string) with a signer's cached key: what the owned strings cost.
void BM_sign_headers_put_cached_request(benchmark::State& state) {
  const sigv4::signer s(creds(), "us-east-1", "s3", {sigv4::path_rules::s3, true, sigv4::token_placement::signed_in_request});
  const auto payload = sigv4::payload_hash::of("small body");
  allocation_meter m(state);
  for (auto _ : state) {
    sigv4::http_request req;
    req.method = "PUT";
    req.path = std::string("/") + bucket + "/" + key;
    req.headers = {{"Host", "minio.example.com"}, {"Content-Type", "image/tiff"}};
    benchmark::DoNotOptimize(s.sign_headers(req, payload, when));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_sign_headers_put_cached_request);

void BM_verify_presigned(benchmark::State& state) {
  const std::string url = shared_presigner().presign(get_request(), when);
  // a lender over keys that live as long as the verifier (as a server's key table does)
  static const sigv4::key_entry entry{sigv4::secret_string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ""};
  const sigv4::verifier v(sigv4::key_lender([](std::string_view id) -> const sigv4::key_entry* {
    return id == "AKIAIOSFODNN7EXAMPLE" ? &entry : nullptr;
  }));
  const std::string target = url.substr(url.find('/', 8));
  const std::vector<sigv4::header> headers = {{"Host", "minio.example.com"}};
  if (!v.verify_presigned("GET", target, headers, when).valid()) state.SkipWithError("the URL did not verify");
  allocation_meter m(state);
  for (auto _ : state) benchmark::DoNotOptimize(v.verify_presigned("GET", target, headers, when));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify_presigned)->UseRealTime();
BENCHMARK(BM_verify_presigned)->Threads(2)->UseRealTime();

// BM_verify_presigned over 64 URLs each signed one second after the last, taken in turn: no
// two requests in a row share an X-Amz-Date, so the string to sign's first block is
// compressed every time (the cost of a verification when URLs are not reused).
void BM_verify_presigned_new_date(benchmark::State& state) {
  static const sigv4::key_entry entry{sigv4::secret_string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ""};
  const sigv4::verifier v(sigv4::key_lender([](std::string_view id) -> const sigv4::key_entry* {
    return id == "AKIAIOSFODNN7EXAMPLE" ? &entry : nullptr;
  }));
  std::vector<std::string> targets;
  for (int i = 0; i < 64; ++i) {
    const std::string url = shared_presigner().presign(get_request(), when - std::chrono::seconds(i));
    targets.push_back(url.substr(url.find('/', 8)));
  }
  const std::vector<sigv4::header> headers = {{"Host", "minio.example.com"}};
  for (const auto& t : targets)
    if (!v.verify_presigned("GET", t, headers, when).valid()) state.SkipWithError("a URL did not verify");
  allocation_meter m(state);
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.verify_presigned("GET", targets[next], headers, when));
    next = (next + 1) % targets.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify_presigned_new_date)->UseRealTime();

// BM_verify_presigned's request while a client cycles through 4,096 other valid access keys
// (32 times what the key cache holds), one between each two verifications: only the key in
// use is timed (manual time), and it must cost what it costs alone.
void BM_verify_presigned_under_key_churn(benchmark::State& state) {
  const auto secret_of = [](std::string_view id) { return "secret-of-" + std::string(id); };
  const sigv4::verifier v([&](std::string_view id) -> std::optional<sigv4::key_entry> {
    if (id.substr(0, 6) == "TENANT") return sigv4::key_entry{sigv4::secret_string(secret_of(id)), ""};
    return sigv4::key_entry{sigv4::secret_string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ""};
  });
  const std::string url = shared_presigner().presign(get_request(), when);
  const std::string target = url.substr(url.find('/', 8));
  const std::vector<sigv4::header> headers = {{"Host", "minio.example.com"}};
  std::vector<std::string> others;
  for (int i = 0; i < 4096; ++i) {
    const std::string id = "TENANT" + std::to_string(i);
    const sigv4::s3::presigner p("https://minio.example.com", "us-east-1", sigv4::credentials(id, secret_of(id)));
    const std::string u = p.presign_get(bucket, key, std::chrono::seconds(900), when);
    others.push_back(u.substr(u.find('/', 8)));
  }
  if (!v.verify_presigned("GET", target, headers, when).valid() ||
      !v.verify_presigned("GET", others[0], headers, when).valid())
    state.SkipWithError("the URLs did not verify");
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.verify_presigned("GET", others[next], headers, when));
    next = (next + 1) % others.size();
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(v.verify_presigned("GET", target, headers, when));
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify_presigned_under_key_churn)->UseManualTime();

// ---- browser POST forms ----------------------------------------------------------------
// A form for one job's uploads with four conditions besides bucket, key and the x-amz-*
// ones: Content-Type starts-with, an x-amz-meta-* field, content-length-range and
// success_action_status. The day's signing key is cached (the shared presigner's).
sigv4::s3::post_policy post_request() {
  sigv4::s3::post_policy p;
  p.bucket = bucket;
  p.key = "jobs/job-123/";
  p.key_is_prefix = true;
  p.expires = 900s;
  p.fields = {{"x-amz-meta-job", "123"}};
  p.conditions = {{"Content-Type", sigv4::s3::post_match::starts_with, "image/"}};
  p.size = sigv4::s3::content_length_range{1, 10 << 20};
  p.success_action_status = 201;
  return p;
}

void BM_presign_post(benchmark::State& state) {
  const auto& p = shared_presigner();
  const auto policy = post_request();
  benchmark::DoNotOptimize(sigv4::s3::presign_post(p, policy, when));  // warm the key cache
  allocation_meter m(state);
  for (auto _ : state) benchmark::DoNotOptimize(sigv4::s3::presign_post(p, policy, when));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_presign_post)->UseRealTime();

void BM_verify_post(benchmark::State& state) {
  const auto form = sigv4::s3::presign_post(shared_presigner(), post_request(), when);
  std::vector<sigv4::s3::post_field> fields = form.fields;
  fields.push_back({"Content-Type", "image/tiff"});
  const sigv4::s3::post_verifier v([](std::string_view) -> std::optional<sigv4::key_entry> {
    return sigv4::key_entry{sigv4::secret_string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ""};
  });
  if (!v.verify(bucket, fields, 1000, when).valid()) state.SkipWithError("the form did not verify");
  allocation_meter m(state);
  for (auto _ : state) benchmark::DoNotOptimize(v.verify(bucket, fields, 1000, when));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify_post)->UseRealTime();

void BM_canonical_request(benchmark::State& state) {
  const std::string path = std::string("/") + bucket + "/" + key;
  const std::vector<sigv4::query_param> params = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20260301/us-east-1/s3/aws4_request"},
      {"X-Amz-Date", "20260301T120000Z"},
      {"X-Amz-Expires", "900"},
      {"X-Amz-SignedHeaders", "host"}};
  const std::vector<sigv4::header> headers = {{"Host", "minio.example.com"}};
  allocation_meter m(state);
  for (auto _ : state) {
    const auto ch = sigv4::canonical_headers(headers);
    benchmark::DoNotOptimize(sigv4::canonical_request("GET", sigv4::canonical_uri(path, sigv4::path_rules::s3),
                                                      sigv4::canonical_query(params), ch.canonical, ch.signed_headers,
                                                      "UNSIGNED-PAYLOAD"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_canonical_request);

void BM_signing_key(benchmark::State& state) {
  allocation_meter m(state);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        sigv4::derive_signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20260301", "us-east-1", "s3"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_signing_key);

}  // namespace

namespace {
// The machine and the hashing back end, in the JSON's "context" (bench/table.py prints them
// above the table): these machines are not all alike.
std::string cpu_model() {
  std::FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) return "unknown";
  char line[512];
  std::string model = "unknown";
  while (std::fgets(line, sizeof line, f)) {
    const std::string l = line;
    if (l.rfind("model name", 0) != 0) continue;
    const auto colon = l.find(':');
    if (colon != std::string::npos) model = l.substr(l.find_first_not_of(' ', colon + 1));
    while (!model.empty() && (model.back() == '\n' || model.back() == ' ')) model.pop_back();
    break;
  }
  std::fclose(f);
  return model;
}
bool cpu_has_sha_ni() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return (b >> 29) & 1u;
#else
  return false;
#endif
}
}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("cpu_sha_ni", cpu_has_sha_ni() ? "yes" : "no");
  benchmark::AddCustomContext("openssl", OpenSSL_version(OPENSSL_VERSION));
  benchmark::AddCustomContext("sha256_backend", SIGV4_LOW_LEVEL_SHA256 ? "OpenSSL low-level" : "OpenSSL EVP");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
