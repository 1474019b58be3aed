// The STS answer parser (sts.hpp): arbitrary XML gives credentials or sigv4::error, and an
// error's message never holds the answer's secret access key or session token (checked with a
// canary put in their place).
#include "fuzz_common.hpp"

#include <sigv4/sts.hpp>

#include <cstddef>
#include <cstdint>

namespace {
// The message of the error the parser throws for `xml`, or "" when it parses.
std::string message_of(std::string_view xml) {
  try {
    (void)sigv4::sts::parse_credentials_response(xml);
  } catch (const sigv4::error& e) {
    return e.what();
  }
  return {};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    const sigv4::credentials c = sigv4::sts::parse_credentials_response(in);
    if (c.access_key_id().empty() || c.secret_access_key().empty()) fuzz::finding("credentials without a key", in);
  } catch (const sigv4::error&) {
    // A secret or token value that is quoted: the same answer with that value replaced by a
    // canary (as long, no XML markup) must not quote the canary. Two canaries, both absent
    // from the input, so that another element holding a canary's text is not taken for it.
    for (const char* tag : {"<SecretAccessKey>", "<SessionToken>"}) {
      const std::size_t at = in.find(tag);
      if (at == std::string_view::npos) continue;
      const std::size_t begin = at + std::string_view(tag).size();
      const std::size_t end = in.find('<', begin);
      if (end == std::string_view::npos || end - begin < 6) continue;
      bool quoted = true;
      for (const char c : {'z', 'y'}) {
        std::string canary(end - begin, 'Q');
        for (std::size_t i = 0; i < canary.size(); i += 3) canary[i] = c;
        if (in.find(canary) != std::string_view::npos) quoted = false;
        std::string changed(in);
        changed.replace(begin, end - begin, canary);
        if (message_of(changed).find(canary) == std::string::npos) quoted = false;
      }
      if (quoted) fuzz::finding("an STS error message quotes a secret or a token", in);
    }
  }
  return 0;
}
