// The shared credentials file parser (credentials.hpp, AWS CLI's INI rules) on arbitrary
// text, for the profile "default" and a profile named by the first line; what it reads makes
// credentials or is refused with sigv4::error.
#include "fuzz_common.hpp"

#include <sigv4/credentials.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view first = in.substr(0, std::min<std::size_t>(in.find('\n'), 64));
  for (const std::string_view profile : {std::string_view("default"), first}) {
    sigv4::detail::profile_values out;
    sigv4::detail::parse_shared_credentials(in, profile, out);
    if (!out.found && (out.id || out.secret || out.token)) fuzz::finding("values from a profile that is not there", in);
    if (!out.id || !out.secret) continue;
    try {
      const sigv4::credentials c(out.id->view(), out.secret->view(), out.token ? out.token->view() : std::string_view());
      if (c.access_key_id() != out.id->view()) fuzz::finding("the key id changed", out.id->view());
    } catch (const sigv4::error&) {
    }
  }
  return 0;
}
