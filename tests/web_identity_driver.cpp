// Driver for tests/botocore_web_identity.py. Reads JSON cases, one per line on stdin, and
// prints one JSON line per case:
//   {"mode": "env", "endpoint": URL}: the AssumeRoleWithWebIdentity request built from the
//       process environment (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME);
//   {"mode": "params", "endpoint", "role_arn", "role_session_name", "token", "duration",
//       "policy"}: the request built from these values;
//   {"mode": "answer", "xml"}: the STS answer read by parse_credentials_response.
// A request prints {"url", "method", "headers": [[name, value], ...], "body"}; an answer
// {"access_key_id", "secret", "token", "expiration"}; an error {"error": code message}.
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

#include "sigv4/sts.hpp"

int main() {
  using nlohmann::json;
  std::string line;
  while (std::getline(std::cin, line)) {
    json out;
    try {
      const json c = json::parse(line);
      const std::string mode = c.at("mode");
      if (mode == "answer") {
        const sigv4::credentials got = sigv4::sts::parse_credentials_response(c.at("xml").get<std::string>());
        out = {{"access_key_id", got.access_key_id()},
               {"secret", std::string(got.secret_access_key())},
               {"token", got.session_token()},
               {"expiration", sigv4::format_amz_date(*got.expiration()).to_string()}};
      } else {
        sigv4::sts::web_identity_params p;
        if (mode == "env") {
          p = sigv4::sts::web_identity_from_env(sigv4::clock::now());
        } else {
          p.role_arn = c.at("role_arn");
          p.role_session_name = c.at("role_session_name");
          p.token = sigv4::secret_string(c.at("token").get<std::string>());
          p.duration = std::chrono::seconds(c.value("duration", 0));
          p.policy = c.value("policy", "");
        }
        const auto f = sigv4::sts::assume_role_with_web_identity(c.at("endpoint").get<std::string>(), p);
        json headers = json::array();
        for (const auto& h : f.request.headers) headers.push_back({h.name, h.value});
        out = {{"url", f.url}, {"method", f.request.method}, {"headers", headers}, {"body", f.body}};
      }
    } catch (const sigv4::error& e) {
      out = {{"error", e.code().message()}, {"what", e.what()}};
    }
    std::cout << out.dump() << std::endl;
  }
}
