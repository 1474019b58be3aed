"""Test fixture: the machine's own OpenSSL as a Conan package named `openssl`.

It builds nothing and ships nothing; package_info() describes the system libcrypto / libssl
with the same names as the conan-center `openssl` package (CMake file OpenSSL, targets
OpenSSL::Crypto and OpenSSL::SSL, components crypto and ssl), so sigv4's recipe works
unchanged against either. (`[platform_requires]` resolves the reference but gives the
generators nothing, so sigv4::sigv4 would not link libcrypto.) The version is the one in the
system's <openssl/opensslv.h>.

    conan export packaging/conan/openssl-system
    conan create . --build=missing
"""
import re

from conan import ConanFile
from conan.errors import ConanException
from conan.tools.files import load


class SystemOpenSSLConan(ConanFile):
    name = "openssl"
    description = "The system's OpenSSL (a test fixture; builds nothing)"
    license = "Apache-2.0"
    package_type = "shared-library"
    settings = "os", "arch"

    def set_version(self):
        header = "/usr/include/openssl/opensslv.h"
        try:
            text = load(self, header)
        except Exception as exc:
            raise ConanException("the system OpenSSL headers are missing (%s): %s" % (header, exc))
        found = re.search(r'#\s*define\s+OPENSSL_VERSION_STR\s+"([0-9.]+)"', text)
        if not found:
            raise ConanException("no OPENSSL_VERSION_STR in %s" % header)
        self.version = found.group(1)

    def package_id(self):
        self.info.clear()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "OpenSSL")
        self.cpp_info.set_property("cmake_find_mode", "both")
        self.cpp_info.set_property("pkg_config_name", "openssl")
        self.cpp_info.includedirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.bindirs = []
        crypto = self.cpp_info.components["crypto"]
        crypto.set_property("cmake_target_name", "OpenSSL::Crypto")
        crypto.set_property("pkg_config_name", "libcrypto")
        crypto.system_libs = ["crypto"]
        crypto.includedirs = []
        crypto.libdirs = []
        crypto.bindirs = []
        ssl = self.cpp_info.components["ssl"]
        ssl.set_property("cmake_target_name", "OpenSSL::SSL")
        ssl.set_property("pkg_config_name", "libssl")
        ssl.system_libs = ["ssl"]
        ssl.requires = ["crypto"]
        ssl.includedirs = []
        ssl.libdirs = []
        ssl.bindirs = []
