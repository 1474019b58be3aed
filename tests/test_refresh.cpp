// Temporary credentials refreshed before they expire (sigv4/refresh.hpp) and the
// AssumeRoleWithWebIdentity request's inputs and refusals (its bytes are checked against
// botocore by botocore_web_identity.py).
#include "catch.hpp"

#include <cstdio>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <sigv4/refresh.hpp>
#include <sigv4/s3.hpp>
#include <sigv4/sts.hpp>

using namespace std::chrono_literals;

namespace {
const sigv4::time_point t0 = sigv4::parse_amz_date("20260301T120000Z");
const char* const sts_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzREFRESHKEY";
const char* const web_token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2ln";

// An AssumeRole answer as STS writes it (the API Reference's shape), expiring at `expires`.
std::string answer(const std::string& id, sigv4::time_point expires) {
  const std::string e = sigv4::format_amz_date(expires).to_string();
  const std::string iso = e.substr(0, 4) + "-" + e.substr(4, 2) + "-" + e.substr(6, 2) + "T" + e.substr(9, 2) + ":" +
                          e.substr(11, 2) + ":" + e.substr(13, 2) + "Z";
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
         "<Credentials><AccessKeyId>" + id + "</AccessKeyId><SecretAccessKey>" + sts_secret +
         "</SecretAccessKey><SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken><Expiration>" + iso +
         "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
}

sigv4::env_lookup fake(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("refresh: due at once, then refresh_before ahead of the expiry", "[refresh]") {
  sigv4::refreshing_credentials r;
  CHECK(r.options().refresh_before == 300s);  // the default: five minutes
  CHECK(r.refresh_due(t0));
  CHECK_FALSE(r.current());
  CHECK(r.expired(t0));
  REQUIRE(r.begin_refresh(t0));
  CHECK_FALSE(r.begin_refresh(t0 + 1s));  // another thread: the call is under way
  const auto got = r.accept_answer(answer("ASIAFIRST", t0 + 3600s), t0 + 2s);
  CHECK(got.accepted);
  CHECK_FALSE(got.problem);
  REQUIRE(r.current());
  CHECK(r.current()->access_key_id() == "ASIAFIRST");
  CHECK(r.current()->secret_access_key() == sts_secret);
  CHECK(r.refresh_at() == t0 + 3300s);
  CHECK_FALSE(r.refresh_due(t0 + 3299s));
  CHECK(r.refresh_due(t0 + 3300s));
  CHECK_FALSE(r.expired(t0 + 3599s));
  CHECK(r.expired(t0 + 3600s));

  sigv4::refreshing_credentials longer({65min, 30s});
  CHECK(longer.accept_answer(answer("ASIAFIRST", t0 + 2h), t0).accepted);
  CHECK(longer.refresh_at() == t0 + 55min);
}

TEST_CASE("refresh: a refused answer or a failed call keeps the old credentials and retries later", "[refresh][errors]") {
  sigv4::refreshing_credentials r({300s, 30s});
  REQUIRE(r.accept_answer(answer("ASIAFIRST", t0 + 3600s), t0).accepted);
  const auto late = t0 + 3400s;
  REQUIRE(r.begin_refresh(late));
  const auto refused = r.accept_answer(
      "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized</Message></Error></ErrorResponse>", late);
  CHECK_FALSE(refused.accepted);
  REQUIRE(refused.problem);
  CHECK(refused.problem->find("AccessDenied") != std::string::npos);
  CHECK(r.current()->access_key_id() == "ASIAFIRST");
  CHECK(r.refresh_at() == late + 30s);
  CHECK_FALSE(r.refresh_due(late + 29s));
  CHECK(r.refresh_due(late + 30s));
  CHECK(r.refresh_due(late - 60s));  // the clock went back past the failure: due at once

  // half an answer, and one that expired before it came: refused, the secret never quoted
  for (const std::string& bad : {answer("ASIASECOND", t0 + 7200s).substr(0, 150), answer("ASIASECOND", late - 1s)}) {
    const auto res = r.accept_answer(bad, late);
    CHECK_FALSE(res.accepted);
    REQUIRE(res.problem);
    CHECK(res.problem->find(sts_secret) == std::string::npos);
    CHECK(r.current()->access_key_id() == "ASIAFIRST");
  }
  r.refresh_failed(late + 40s);  // no answer at all (network)
  CHECK(r.refresh_at() == late + 70s);
  CHECK(r.accept_answer(answer("ASIASECOND", t0 + 7200s), late + 70s).accepted);
  CHECK(r.refresh_at() == t0 + 7200s - 300s);
}

TEST_CASE("refresh: a presigner fed on schedule never refuses a link, and no link outlives its credentials",
          "[refresh][s3]") {
  // one-hour credentials, 15-minute links, a refresh 20 minutes before the expiry
  sigv4::refreshing_credentials r({20min, 30s});
  r.accept_answer(answer("ASIA0", t0 + 1h), t0);
  sigv4::s3::presigner p("http://127.0.0.1:7480", "us-east-1", *r.current(), sigv4::s3::addressing_style::path);
  int refreshes = 0;
  for (auto now = t0; now < t0 + 5h; now += 1min) {
    if (r.begin_refresh(now)) {
      ++refreshes;
      REQUIRE(r.accept_answer_into(p, answer("ASIA" + std::to_string(refreshes), now + 1h), now).accepted);
    }
    const std::string url = p.presign_get("bkt", "k", 15min, now);  // throws credentials_expired otherwise
    const auto c = p.creds();
    CHECK(*c.expiration() - now >= 15min);
    CHECK(url.find("X-Amz-Credential=" + c.access_key_id() + "%2F") != std::string::npos);
  }
  CHECK(refreshes >= 6);

  // The same with refresh_before shorter than the links: the presigner's guard refuses the
  // links that would outlive the credentials (or clamps them), never signs them.
  sigv4::refreshing_credentials late_refresh;  // five minutes before
  late_refresh.accept_answer(answer("ASIALATE", t0 + 1h), t0);
  sigv4::s3::presigner q("http://127.0.0.1:7480", "us-east-1", *late_refresh.current(),
                         sigv4::s3::addressing_style::path);
  const auto at = t0 + 50min;
  CHECK_FALSE(late_refresh.refresh_due(at));
  std::error_code ec;
  q.presign(sigv4::s3::object_request{sigv4::s3::http_method::get, "bkt", "k", 15min, {}, {}, {}}, at, ec);
  CHECK(ec == sigv4::errc::credentials_expired);
}

TEST_CASE("web identity: from the environment, with refusals that never quote the token", "[sts][web_identity]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("sigv4-test-web-identity-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  fs::create_directories(dir);
  const std::string file = (dir / "token").string();
  {
    std::ofstream(file) << web_token << "\n";
  }
  const auto p = sigv4::sts::web_identity_from_env(
      t0, fake({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}, {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web"}}));
  CHECK(p.token.view() == web_token);  // the trailing newline trimmed
  CHECK(p.role_arn == "arn:aws:iam::123456789012:role/web");
  CHECK(p.role_session_name == "sigv4-" + std::to_string(sigv4::detail::epoch_seconds(t0)));
  const auto f = sigv4::sts::assume_role_with_web_identity("https://sts.amazonaws.com", p);
  CHECK(f.url == "https://sts.amazonaws.com/");
  CHECK(f.request.method == "POST");
  for (const auto& h : f.request.headers) CHECK(h.name != "Authorization");

  const auto refused = [&](const std::function<void()>& fn, sigv4::errc code, const std::string& needle) {
    try {
      fn();
      FAIL("no error");
    } catch (const sigv4::error& e) {
      const std::string what = e.what();
      INFO(what);
      CHECK(e.code() == code);
      CHECK(what.find(needle) != std::string::npos);
      CHECK(what.find(web_token) == std::string::npos);
      CHECK(what.find("eyJ") == std::string::npos);
    }
  };
  refused([&] { sigv4::sts::web_identity_from_env(t0, fake({})); }, sigv4::errc::credentials_not_found,
          "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  refused([&] { sigv4::sts::web_identity_from_env(t0, fake({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}})); },
          sigv4::errc::credentials_not_found, "AWS_ROLE_ARN");
  refused([&] {
    sigv4::sts::web_identity_from_env(
        t0, fake({{"AWS_WEB_IDENTITY_TOKEN_FILE", file + ".gone"}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}));
  },
          sigv4::errc::credentials_not_found, "cannot be read");
  {
    std::ofstream(file) << " \n";
  }
  refused([&] {
    sigv4::sts::web_identity_from_env(t0, fake({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}));
  },
          sigv4::errc::credentials_not_found, "empty");
  fs::remove_all(dir);

  sigv4::sts::web_identity_params q;
  q.role_arn = "arn:aws:iam::1:role/r";
  q.role_session_name = "has space";
  q.token = sigv4::secret_string(web_token);
  refused([&] { sigv4::sts::assume_role_with_web_identity("https://sts.amazonaws.com", q); },
          sigv4::errc::invalid_argument, "session name");
  q.role_session_name = "ok";
  q.duration = 899s;
  refused([&] { sigv4::sts::assume_role_with_web_identity("https://sts.amazonaws.com", q); },
          sigv4::errc::invalid_argument, "DurationSeconds");
  q.duration = 0s;
  q.policy.assign(2049, 'x');
  refused([&] { sigv4::sts::assume_role_with_web_identity("https://sts.amazonaws.com", q); },
          sigv4::errc::invalid_policy, "2048");
  q.policy.clear();
  q.token = sigv4::secret_string();
  refused([&] { sigv4::sts::assume_role_with_web_identity("https://sts.amazonaws.com", q); },
          sigv4::errc::invalid_argument, "token is empty");
  q.token = sigv4::secret_string(web_token);
  q.role_arn.clear();
  refused([&] { sigv4::sts::assume_role_with_web_identity("https://sts.amazonaws.com", q); },
          sigv4::errc::invalid_argument, "role ARN");
}
